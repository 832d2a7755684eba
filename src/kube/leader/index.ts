export { createLeaderElector, leaderLiveness, LIVENESS_TOLERANCE_MS } from './elector.js';
export type { LeaderCallbacks, LeaderElector, LeaderElectorOptions, LeaderOutcome, LeaderStopReason } from './elector.js';
export { formatMicroTime, MICRO_TIME_PATTERN, parseMicroTime } from './microtime.js';
export { decideLease, observe, recordDurationMs, releasedSpec } from './record.js';
export type { LeaseDecision, LeaseSpec, Observation } from './record.js';
