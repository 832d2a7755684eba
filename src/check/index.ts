/** Types-only leaf: the check-result shape every check provider and the health server agree on. */
export type { Check, CheckResult } from './check.js';
