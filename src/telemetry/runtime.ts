import { constants, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { BatchObservableResult, Meter, Observable } from '@opentelemetry/api';

/** Event-loop delay sampling period, ms: Node's default resolution is 10 ms; 20 halves the timer cost. */
const LOOP_DELAY_RESOLUTION_MS = 20;
/** `v8js.gc.duration` buckets from the OTel semantic conventions, seconds. */
const GC_BUCKETS = [0.01, 0.1, 1, 10];

const GC_TYPES = new Map<number, string>([
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

const DELAY_STATS = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'] as const;

export interface RuntimeMetrics {
  /** Stops sampling and observing; idempotent. */
  stop(): void;
}

/**
 * Node.js runtime metrics per the OTel semantic conventions (`nodejs.eventloop.*`, `v8js.*`),
 * plus `process.memory.usage` (RSS). Event-loop delay statistics cover the time since the
 * previous collection of any reader.
 */
export function startRuntimeMetrics(meter: Meter): RuntimeMetrics {
  const delay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  delay.enable();
  let lastElu: EventLoopUtilization = performance.eventLoopUtilization();

  const delayGauges = DELAY_STATS.map((stat) =>
    meter.createObservableGauge(`nodejs.eventloop.delay.${stat}`, { unit: 's', description: `Event loop ${stat} delay.` }),
  );
  const utilization = meter.createObservableGauge('nodejs.eventloop.utilization', { unit: '1', description: 'Event loop utilization.' });
  const heapUsed = meter.createObservableUpDownCounter('v8js.memory.heap.used', { unit: 'By', description: 'Heap Memory size allocated.' });
  const heapLimit = meter.createObservableUpDownCounter('v8js.memory.heap.limit', { unit: 'By', description: 'Total heap memory size pre-allocated.' });
  const rss = meter.createObservableUpDownCounter('process.memory.usage', { unit: 'By', description: 'The amount of physical memory in use (resident set size).' });
  const observables: Observable[] = [...delayGauges, utilization, heapUsed, heapLimit, rss];

  const observe = (result: BatchObservableResult): void => {
    // count is 0 before the first sample: min would then be 2^63 ns, so report nothing.
    if (delay.count > 0) {
      const values = [delay.min, delay.max, delay.mean, delay.stddev, delay.percentile(50), delay.percentile(90), delay.percentile(99)];
      delayGauges.forEach((gauge, i) => result.observe(gauge, (values[i] ?? 0) / 1e9));
    }
    delay.reset();
    const elu = performance.eventLoopUtilization(lastElu);
    lastElu = performance.eventLoopUtilization();
    result.observe(utilization, elu.utilization);
    for (const space of getHeapSpaceStatistics()) {
      const attributes = { 'v8js.heap.space.name': space.space_name };
      result.observe(heapUsed, space.space_used_size, attributes);
      result.observe(heapLimit, space.space_size, attributes);
    }
    result.observe(rss, process.memoryUsage.rss());
  };
  meter.addBatchObservableCallback(observe, observables);

  const gcDuration = meter.createHistogram('v8js.gc.duration', {
    unit: 's',
    description: 'Garbage collection duration.',
    advice: { explicitBucketBoundaries: GC_BUCKETS },
  });
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      gcDuration.record(entry.duration / 1000, { 'v8js.gc.type': GC_TYPES.get(kind ?? -1) ?? 'unknown' });
    }
  });
  observer.observe({ entryTypes: ['gc'] });

  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      observer.disconnect();
      delay.disable();
      meter.removeBatchObservableCallback(observe, observables);
    },
  };
}

