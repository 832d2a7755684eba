import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { createEventLoopCheck } from '../../src/health/index.js';
import type { CheckResult } from '../../src/health/index.js';

/** A fake monotonic clock plus mocked timers: `advance` moves both, `block` moves only the clock (the loop was busy). */
function setup(options: { thresholdMs?: number; windowMs?: number } = {}) {
  let t = 1_000;
  const loop = createEventLoopCheck({ thresholdMs: options.thresholdMs ?? 5_000, windowMs: options.windowMs ?? 10_000, now: () => t });
  const signal = new AbortController().signal;
  return {
    loop,
    run: () => loop.check.run(signal) as CheckResult,
    /** Time passes with a free loop: timers fire on time. */
    advance(ms: number) {
      for (let done = 0; done < ms; done += 100) {
        t += 100;
        mock.timers.tick(100);
      }
    },
    /** The loop is blocked for `ms`: the clock moves, no timer could fire. */
    block(ms: number) {
      t += ms;
    },
    /** The loop is free again and the overdue sample fires. */
    release() {
      mock.timers.tick(100);
    },
  };
}

describe('createEventLoopCheck', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('is named event-loop and passes while the loop keeps up', () => {
    const s = setup();
    s.loop.start();
    s.advance(2_000);
    assert.equal(s.loop.check.name, 'event-loop');
    assert.deepEqual(s.run(), { ok: true });
  });

  it('passes before start() since nothing was measured', () => {
    const s = setup();
    s.block(60_000);
    assert.deepEqual(s.run(), { ok: true });
  });

  it('fails after a block longer than the threshold, naming lag and bound', () => {
    const s = setup();
    s.loop.start();
    s.advance(100);
    s.block(6_112);
    s.release();
    assert.deepEqual(s.run(), { ok: false, reason: 'event loop blocked for 6012ms, bound 5000ms' });
  });

  it('fails while the overdue sample has not fired yet', () => {
    const s = setup();
    s.loop.start();
    s.block(5_200);
    assert.deepEqual(s.run(), { ok: false, reason: 'event loop blocked for 5100ms, bound 5000ms' });
  });

  it('ignores a lag at or below the threshold', () => {
    const s = setup();
    s.loop.start();
    s.block(5_100);
    s.release();
    s.advance(100);
    assert.deepEqual(s.run(), { ok: true });
  });

  it('passes again once the block is older than the window', () => {
    const s = setup({ windowMs: 10_000 });
    s.loop.start();
    s.block(7_000);
    s.release();
    s.advance(9_900);
    assert.equal(s.run().ok, false);
    s.advance(200);
    assert.deepEqual(s.run(), { ok: true });
  });

  it('stops sampling after stop() and can start again', () => {
    const s = setup();
    s.loop.start();
    s.loop.start();
    s.loop.stop();
    s.loop.stop();
    s.block(20_000);
    assert.deepEqual(s.run(), { ok: true });
    s.loop.start();
    s.block(6_000);
    assert.equal(s.run().ok, false);
    s.loop.stop();
  });

  it('rejects a threshold that is not positive', () => {
    assert.throws(() => createEventLoopCheck({ thresholdMs: 0 }), /thresholdMs must be > 0, got 0/);
  });
});
