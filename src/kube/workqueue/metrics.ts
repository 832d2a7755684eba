import type { AddStateGauge, Instruments, StatePoint } from '../../telemetry/instruments.js';
import { noopInstruments } from '../../telemetry/noop-instruments.js';

/** What the queue reports; each call is cheap and never throws. */
export interface QueueMetrics {
  /** A key became dirty (depth +1). */
  added(): void;
  /** A key left the queue for a worker after waiting `waitedMs`. */
  handedOut(waitedMs: number): void;
  /** A worker finished a key after `workedMs`. */
  finished(workedMs: number): void;
  /** A key was scheduled for a later retry. */
  retried(): void;
  /** `count` dirty keys were dropped by shutdown without being handed out (depth -count). */
  discarded(count: number): void;
  /** Stops reporting the state gauges, so a dead queue's series vanish. */
  close(): void;
}

export interface QueueMetricsOptions {
  /** `name` label of every series. */
  name: string;
  /** Instrument catalogue; absent = no metrics. */
  instruments?: Instruments | undefined;
  /** Registers the collection-time gauges; absent = they are not reported. */
  addStateGauge?: AddStateGauge | undefined;
  /** Start times (ms since the epoch) of the keys being processed, read at collection time. */
  processingSince: () => Iterable<number>;
  now: () => number;
}

/** Records the client-go workqueue metrics (names in `src/telemetry/instruments.ts`). */
export function createQueueMetrics(options: QueueMetricsOptions): QueueMetrics {
  const { now } = options;
  const instruments = options.instruments ?? noopInstruments();
  const attributes = { name: options.name };
  const unregister = registerStateGauges(options);
  return {
    added() {
      instruments.workqueueAdds.add(1, attributes);
      instruments.workqueueDepth.add(1, attributes);
    },
    handedOut(waitedMs) {
      instruments.workqueueDepth.add(-1, attributes);
      instruments.workqueueQueueDuration.record(Math.max(0, waitedMs) / 1000, attributes);
    },
    finished(workedMs) {
      instruments.workqueueWorkDuration.record(Math.max(0, workedMs) / 1000, attributes);
    },
    retried() {
      instruments.workqueueRetries.add(1, attributes);
    },
    discarded(count) {
      if (count > 0) instruments.workqueueDepth.add(-count, attributes);
    },
    close: () => unregister.forEach((remove) => remove()),
  };

  function registerStateGauges(opts: QueueMetricsOptions): Array<() => void> {
    const add = opts.addStateGauge;
    if (add === undefined) return [];
    const ages = (): number[] => Array.from(opts.processingSince(), (since) => Math.max(0, now() - since) / 1000);
    const point = (value: number): readonly StatePoint[] => [{ attributes, value }];
    return [
      add('workqueueUnfinishedWork', () => point(ages().reduce((sum, age) => sum + age, 0))),
      add('workqueueLongestRunning', () => point(ages().reduce((longest, age) => Math.max(longest, age), 0))),
    ];
  }
}
