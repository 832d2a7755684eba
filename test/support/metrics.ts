import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { AddStateGauge, Instruments, StateGaugeKey, StateGaugeSource, StatePoint } from '../../src/telemetry/instruments.js';
import { createInstruments } from '../../src/telemetry/instruments.js';

/** The one pull reader of the tests: they call `collect()` instead of waiting for an export interval. */
export class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface Point {
  readonly attributes: Record<string, unknown>;
  /** Sum/gauge value, or a histogram's `{ count, sum }`. */
  readonly value: unknown;
}

export interface MetricsHarness {
  readonly instruments: Instruments;
  readonly reader: PullReader;
  /** An in-memory state-gauge registry (what `telemetry.addStateGauge` is in production). */
  readonly addStateGauge: AddStateGauge;
  /** The points of metric `name` now. */
  points(name: string): Promise<Point[]>;
  /** The sum of the points of counter `name` whose attributes include `attrs`. */
  sum(name: string, attrs?: Record<string, string>): Promise<number>;
  /** The current points of one state gauge. */
  statePoints(key: StateGaugeKey): StatePoint[];
}

/** The real instrument catalogue on an SDK MeterProvider with an in-memory pull reader. */
export function createMetricsHarness(): MetricsHarness {
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  const sources = new Map<StateGaugeKey, Set<StateGaugeSource>>();
  const harness: MetricsHarness = {
    instruments: createInstruments(provider.getMeter('test')),
    reader,
    addStateGauge(key, source) {
      const set = sources.get(key) ?? new Set<StateGaugeSource>();
      sources.set(key, set);
      set.add(source);
      return () => void set.delete(source);
    },
    async points(name) {
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
      return (metric?.dataPoints ?? []).map((point) => {
        const value = point.value as unknown;
        const histogram = typeof value === 'object' && value !== null && 'count' in value ? (value as { count: number; sum?: number }) : undefined;
        return { attributes: { ...point.attributes }, value: histogram === undefined ? value : { count: histogram.count, sum: histogram.sum } };
      });
    },
    async sum(name, attrs = {}) {
      const matching = (await harness.points(name)).filter((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v));
      return matching.reduce((total, p) => total + Number(p.value), 0);
    },
    statePoints: (key) => [...(sources.get(key) ?? [])].flatMap((source) => [...source()]),
  };
  return harness;
}
