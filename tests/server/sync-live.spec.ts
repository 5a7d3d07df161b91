/**
 * Sync against one real server process: each suite lives in sync-suites/ and shares the server,
 * because starting a process costs seconds and the suites do not disturb each other.
 */
import { liveServer } from './sync-suites/context.js';
import { converge } from './sync-suites/converge.js';
import { interop } from './sync-suites/interop.js';
import { lifecycle } from './sync-suites/lifecycle.js';
import { randomConvergence } from './sync-suites/random-convergence.js';
import { refusals } from './sync-suites/refusals.js';

const ctx = liveServer({ TETHER_DOC_IDLE_MS: '50' });

converge(ctx);
refusals(ctx);
lifecycle(ctx);
interop(ctx);
randomConvergence(ctx);
