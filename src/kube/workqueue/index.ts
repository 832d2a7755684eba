export { createDelayHeap } from './delay-heap.js';
export type { DelayHeap } from './delay-heap.js';
export { createQueueMetrics } from './metrics.js';
export type { QueueMetrics, QueueMetricsOptions } from './metrics.js';
export { createWorkqueue } from './queue.js';
export type { Workqueue, WorkqueueOptions } from './queue.js';
export {
  createBucketRateLimiter,
  createDefaultControllerRateLimiter,
  createItemExponentialRateLimiter,
  createMaxOfRateLimiter,
  exponentialBackoffMs,
  reserveToken,
} from './rate-limiters.js';
export type { BucketOptions, ExponentialOptions, RateLimiter, TokenBucketState } from './rate-limiters.js';
