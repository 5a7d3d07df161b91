import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** Resident set size of a process in bytes, from /proc/<pid>/status (Linux only). */
export function rssBytes(pid: number): number {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
	if (!match) throw new Error(`no VmRSS for process ${pid}`);
	return Number(match[1]) * 1024;
}

/** A port that was free a moment ago (for servers that cannot report the port they got). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** Runs a command to completion, inheriting stdio; rejects on a non-zero exit. */
export function run(command: string, args: string[], cwd: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const child: ChildProcess = spawn(command, args, { cwd, stdio: 'inherit' });
		child.once('error', reject);
		child.once('exit', (code, signal) =>
			code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')}: ${signal ?? code}`))
		);
	});
}

let ticksPerSecond = 0;

/** Clock ticks per second for /proc times (`getconf CLK_TCK`, nearly always 100). */
function clockTicks(): number {
	ticksPerSecond ||= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
	if (!ticksPerSecond) throw new Error('getconf CLK_TCK gave no number');
	return ticksPerSecond;
}

/**
 * CPU time a process has used so far, user plus system, in microseconds: fields 14 and 15 of
 * /proc/<pid>/stat (all threads). Counted in clock ticks, so only differences over a window of
 * many updates mean anything.
 */
export function cpuMicros(pid: number): number {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	// The command name (field 2) may hold spaces: count fields after its closing parenthesis.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const ticks = Number(fields[11]) + Number(fields[12]);
	if (!Number.isFinite(ticks)) throw new Error(`no CPU times for process ${pid}`);
	return (ticks * 1_000_000) / clockTicks();
}
