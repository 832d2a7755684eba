/** The time seam: a clock with cancellable timers, sleeps on it, and Kubernetes time formatting. */
export { createSystemClock } from './clock.js';
export type { Clock } from './clock.js';
export { sleep, sleepUnlessAborted } from './sleep.js';
export { formatTime } from './time.js';
