import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { createLifecycle } from '../../src/lifecycle/index.js';
import type { Part } from '../../src/lifecycle/index.js';
import { createLogger } from '../../src/log/index.js';

interface Setup {
  readonly events: string[];
  part(name: string, behaviour?: { start?: () => Promise<void>; stop?: (ms: number) => Promise<void>; announce?: boolean; maxShare?: number }): Part;
}

function setup(): Setup {
  const events: string[] = [];
  return {
    events,
    part: (name, b = {}) => ({
      name,
      async start() {
        events.push(`start ${name}`);
        await b.start?.();
      },
      ...(b.announce === true ? { beginStop: () => void events.push(`announce ${name}`) } : {}),
      async stop(ms) {
        events.push(`stop ${name}`);
        await b.stop?.(ms);
      },
      ...(b.maxShare === undefined ? {} : { maxShare: b.maxShare }),
    }),
  };
}

const logger = createLogger({ level: 'silent' });

describe('lifecycle', () => {
  it('starts parts in order and stops them in reverse, announcing the stop before any part stops', async () => {
    const { events, part } = setup();
    const lifecycle = createLifecycle([part('health', { announce: true }), part('telemetry'), part('controllers')], { timeoutMs: 1000, logger });
    await lifecycle.start();
    assert.deepEqual(lifecycle.started(), ['health', 'telemetry', 'controllers']);
    assert.equal(await lifecycle.stop(), true);
    assert.deepEqual(events, ['start health', 'start telemetry', 'start controllers', 'announce health', 'stop controllers', 'stop telemetry', 'stop health']);
  });

  it('stops exactly what started when a stop comes during start-up, waiting for the start in flight and starting no more', async () => {
    const { events, part } = setup();
    let release: () => void = () => {};
    let entered: () => void = () => {};
    const inTelemetryStart = new Promise<void>((resolve) => (entered = resolve));
    const slow = (): Promise<void> => {
      entered();
      return new Promise<void>((resolve) => (release = resolve));
    };
    const lifecycle = createLifecycle([part('health', { announce: true }), part('telemetry', { start: slow }), part('controllers')], { timeoutMs: 1000, logger });
    const starting = lifecycle.start();
    await inTelemetryStart;
    const stopped = lifecycle.stop();
    release();
    await starting;
    assert.equal(await stopped, true);
    assert.deepEqual(events, ['start health', 'start telemetry', 'announce health', 'stop telemetry', 'stop health']);
  });

  it('rejects naming the part whose start failed, and still stops the parts before it', async () => {
    const { events, part } = setup();
    const lifecycle = createLifecycle([part('health'), part('controllers', { start: () => Promise.reject(new Error('Invalid URL')) }), part('never')], { timeoutMs: 1000, logger });
    await assert.rejects(lifecycle.start(), /^Error: controllers: start failed: Invalid URL$/);
    assert.deepEqual(lifecycle.started(), ['health']);
    await lifecycle.stop();
    assert.deepEqual(events, ['start health', 'start controllers', 'stop health']);
  });

  it('bounds a hanging stop by its share of the budget, so the parts after it still stop, and reports the stop unclean', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      const { events, part } = setup();
      const budgets: number[] = [];
      const hanging = part('controllers', { maxShare: 0.5, stop: (ms) => (budgets.push(ms), new Promise(() => {})) });
      const lifecycle = createLifecycle([part('health', { stop: async (ms) => void budgets.push(ms) }), hanging], { timeoutMs: 1000, logger });
      await lifecycle.start();
      const stopped = lifecycle.stop();
      for (let i = 0; i < 20 && events.length < 3; i += 1) await Promise.resolve();
      mock.timers.tick(500);
      assert.equal(await stopped, false);
      assert.deepEqual(events.slice(2), ['stop controllers', 'stop health']);
      assert.deepEqual(budgets, [500, 500]);
    } finally {
      mock.timers.reset();
    }
  });

  it('gives a start that hangs at most half the budget, so the parts that did start still stop in time', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      const { events, part } = setup();
      let entered: () => void = () => {};
      const inStart = new Promise<void>((resolve) => (entered = resolve));
      const budgets: number[] = [];
      const lifecycle = createLifecycle([part('health', { stop: async (ms) => void budgets.push(ms) }), part('telemetry', { start: () => (entered(), new Promise(() => {})) })], { timeoutMs: 1000, logger });
      void lifecycle.start();
      await inStart;
      const stopped = lifecycle.stop();
      await Promise.resolve();
      mock.timers.tick(500);
      assert.equal(await stopped, false);
      assert.deepEqual(events, ['start health', 'start telemetry', 'stop health']);
      assert.deepEqual(budgets, [500]);
    } finally {
      mock.timers.reset();
    }
  });

  it('is idempotent: a second stop returns the first one and stops nothing twice', async () => {
    const { events, part } = setup();
    const lifecycle = createLifecycle([part('health')], { timeoutMs: 1000, logger });
    await lifecycle.start();
    const first = lifecycle.stop();
    assert.equal(lifecycle.stop(), first);
    await first;
    assert.deepEqual(events, ['start health', 'stop health']);
  });
});
