export { startFakeAnthropic } from './server.js';
export type {
	Endpoint,
	FakeAnthropic,
	FakeAnthropicOptions,
	Failure,
	RecordedRequest
} from './server.js';
export type { Interruption, ScriptedBlock, ScriptedReply, StopReason } from './reply.js';
export { defaultModels, type FakeModel } from './models.js';
export { errorTypes } from './errors.js';
