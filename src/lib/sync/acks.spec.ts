import { describe, expect, it } from 'vitest';
import { AckLedger } from './acks.js';

describe('[CL] the acknowledgement ledger', () => {
	it('[CL2] counts local updates as unsynced until the message carrying them is acknowledged', () => {
		const ledger = new AckLedger();
		ledger.connected(true);
		ledger.sent(1);
		ledger.sent(2);
		expect(ledger.unsynced).toBe(3);
		ledger.ack(1);
		expect(ledger.unsynced).toBe(2);
		ledger.ack(2);
		expect(ledger.unsynced).toBe(0);
		expect(ledger.awaiting).toBe(false);
	});

	it('[CL4] what a lost connection did not confirm travels in the next step 2', () => {
		const ledger = new AckLedger();
		ledger.connected(true);
		ledger.sent(1);
		ledger.disconnected();
		ledger.keep(1);
		expect(ledger.unsynced).toBe(2);
		ledger.connected(true);
		const step2 = ledger.sent(ledger.takePending());
		expect(step2).toBe(1);
		expect(ledger.unsynced).toBe(2);
		ledger.ack(step2);
		expect(ledger.unsynced).toBe(0);
	});

	it('[CL2] a server without acknowledgements counts messages as done when sent', () => {
		const ledger = new AckLedger();
		ledger.connected(false);
		expect(ledger.sent(3)).toBe(1);
		expect(ledger.acked).toBe(1);
		expect(ledger.unsynced).toBe(0);
	});
});
