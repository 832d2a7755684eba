export { createShutdown } from './shutdown.js';
export type { ShutdownOptions, ShutdownStep } from './shutdown.js';
export { installSignalHandlers } from './signals.js';
export type { SignalHandlers } from './signals.js';
