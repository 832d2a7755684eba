export { createLifecycle } from './lifecycle.js';
export type { Lifecycle, LifecycleOptions, Part } from './lifecycle.js';
export { startBudget } from './shutdown.js';
export type { Budget, ShutdownOptions, ShutdownStep } from './shutdown.js';
export { installSignalHandlers } from './signals.js';
export type { SignalHandlers } from './signals.js';
