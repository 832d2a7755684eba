export { createController } from './controller.js';
export type { Controller, ControllerOptions, Reconcile } from './controller.js';
export { decide } from './outcome.js';
export type { Attempt, Decision, Outcome, QueueAction } from './outcome.js';
export { reconcileProgressCheck, stalledForMs } from './progress.js';
export type { Progress, ProgressCheck, ProgressCheckOptions, ProgressSource } from './progress.js';
export { createPhase } from './phase.js';
export type { Phase } from './phase.js';
