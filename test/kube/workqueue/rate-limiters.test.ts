import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createBucketRateLimiter,
  createDefaultControllerRateLimiter,
  createItemExponentialRateLimiter,
  createMaxOfRateLimiter,
  exponentialBackoffMs,
  reserveToken,
} from '../../../src/kube/workqueue/index.js';

const T0 = 1_700_000_000_000;

describe('exponential backoff', () => {
  it('doubles from 5 ms and caps at 1000 s', () => {
    const limiter = createItemExponentialRateLimiter();
    const delays = Array.from({ length: 30 }, () => limiter.when('a', T0));
    assert.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
    // 5 ms * 2^17 = 655.36 s is the last step below the cap; 2^18 would be 1310.72 s.
    assert.equal(delays[17], 655_360);
    assert.equal(delays[18], 1_000_000);
    assert.equal(delays[29], 1_000_000);
    assert.equal(limiter.numRequeues('a'), 30);
  });

  it('keeps a separate count per key', () => {
    const limiter = createItemExponentialRateLimiter();
    limiter.when('a', T0);
    limiter.when('a', T0);
    assert.equal(limiter.when('b', T0), 5);
    assert.equal(limiter.numRequeues('a'), 2);
  });

  it('starts again from the first delay after forget', () => {
    const limiter = createItemExponentialRateLimiter();
    limiter.when('a', T0);
    limiter.when('a', T0);
    limiter.forget('a');
    assert.equal(limiter.numRequeues('a'), 0);
    assert.equal(limiter.when('a', T0), 5);
  });

  it('caps instead of overflowing for huge failure counts', () => {
    assert.equal(exponentialBackoffMs(5000, 5, 1_000_000), 1_000_000);
  });
});

describe('token bucket', () => {
  it('allows a burst of 100 at once, then one retry per 100 ms', () => {
    const limiter = createBucketRateLimiter();
    const burst = Array.from({ length: 100 }, (_, i) => limiter.when(`k${i}`, T0));
    assert.ok(burst.every((delay) => delay === 0));
    assert.equal(limiter.when('x', T0), 100);
    assert.equal(limiter.when('y', T0), 200);
  });

  it('refills at 10 tokens per second', () => {
    const limiter = createBucketRateLimiter({ qps: 10, burst: 1 });
    assert.equal(limiter.when('a', T0), 0);
    assert.equal(limiter.when('a', T0 + 50), 50);
    assert.equal(limiter.when('a', T0 + 1000), 0);
  });

  it('never holds more than the burst', () => {
    const { state } = reserveToken({ tokens: 3, at: T0 }, T0 + 3_600_000, 10, 5);
    assert.equal(state.tokens, 4);
  });

  it('rejects a rate that would never refill', () => {
    assert.throws(() => createBucketRateLimiter({ qps: 0 }), /expected qps > 0 .* got qps=0/);
  });
});

describe('max-of limiter', () => {
  it('takes the longest delay and lets every limiter count the failure', () => {
    const limiter = createMaxOfRateLimiter(createItemExponentialRateLimiter(), createBucketRateLimiter({ qps: 10, burst: 1 }));
    assert.equal(limiter.when('a', T0), 5);
    assert.equal(limiter.when('a', T0), 100);
    assert.equal(limiter.numRequeues('a'), 2);
    limiter.forget('a');
    assert.equal(limiter.numRequeues('a'), 0);
  });

  it('is the default controller limiter with client-go numbers', () => {
    const limiter = createDefaultControllerRateLimiter();
    assert.deepEqual([1, 2, 3].map(() => limiter.when('a', T0)), [5, 10, 20]);
  });
});
