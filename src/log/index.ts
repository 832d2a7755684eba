export { createLogger, LOG_LEVELS, redactor } from './logger.js';
export type { Logger, LogLevel, LoggerOptions } from './logger.js';
export { createRateLimitedLogger } from './rate-limit.js';
export type { RateLimitedLogger, RateLimitOptions } from './rate-limit.js';
