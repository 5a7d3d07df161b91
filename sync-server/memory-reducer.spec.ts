import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fullCollection, MemoryReducer } from './memory-reducer.js';

describe('[HD] memory after unloads', () => {
	beforeEach(() => {
		vi.useFakeTimers();
	});
	afterEach(() => {
		vi.useRealTimers();
	});

	function reducer() {
		const collect = vi.fn();
		const memory = new MemoryReducer({
			collect,
			quietMs: 1000,
			minUnloads: 50,
			minIntervalMs: 10_000,
			now: () => Date.now()
		});
		return { collect, memory };
	}

	it('[HD13] a burst of unloads is followed by one full collection once the unloads stop', () => {
		const { collect, memory } = reducer();
		for (let i = 0; i < 200; i++) {
			memory.unloaded();
			vi.advanceTimersByTime(10);
		}
		expect(collect).not.toHaveBeenCalled();
		vi.advanceTimersByTime(989);
		expect(collect).not.toHaveBeenCalled();
		vi.advanceTimersByTime(1);
		expect(collect).toHaveBeenCalledTimes(1);
		vi.advanceTimersByTime(60_000);
		expect(collect).toHaveBeenCalledTimes(1);
		memory.stop();
	});

	it('[HD13] a trickle of unloads collects nothing, and collections are at least minIntervalMs apart', () => {
		const { collect, memory } = reducer();
		for (let i = 0; i < 49; i++) memory.unloaded();
		vi.advanceTimersByTime(5000);
		expect(collect).not.toHaveBeenCalled();
		memory.unloaded();
		vi.advanceTimersByTime(1000);
		expect(collect).toHaveBeenCalledTimes(1);
		for (let i = 0; i < 50; i++) memory.unloaded();
		vi.advanceTimersByTime(1000);
		expect(collect).toHaveBeenCalledTimes(1);
		// Quiet again, but the last collection was only 1 s ago: it waits out the interval.
		vi.advanceTimersByTime(8999);
		expect(collect).toHaveBeenCalledTimes(1);
		vi.advanceTimersByTime(1);
		expect(collect).toHaveBeenCalledTimes(2);
		memory.stop();
	});

	it('[HD13] the runtime gives the server a full collection', () => {
		vi.useRealTimers();
		const collect = fullCollection();
		expect(collect).toBeTypeOf('function');
		collect?.();
	});
});
