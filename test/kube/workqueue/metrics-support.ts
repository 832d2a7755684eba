import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { AddStateGauge, Instruments, StateGaugeKey, StateGaugeSource, StatePoint } from '../../../src/telemetry/instruments.js';
import { createInstruments } from '../../../src/telemetry/instruments.js';

/** A pull reader: tests call `collect()` instead of waiting for an export interval. */
class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface Point {
  readonly attributes: Record<string, unknown>;
  /** Sum/gauge value, or a histogram's `{ count, sum }`. */
  readonly value: unknown;
}

/** The real instrument catalogue on an SDK MeterProvider with an in-memory pull reader. */
export function createMetricsHarness(): {
  instruments: Instruments;
  addStateGauge: AddStateGauge;
  points(name: string): Promise<Point[]>;
  statePoints(key: StateGaugeKey): StatePoint[];
} {
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  const sources = new Map<StateGaugeKey, Set<StateGaugeSource>>();
  return {
    instruments: createInstruments(provider.getMeter('test')),
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
    statePoints: (key) => [...(sources.get(key) ?? [])].flatMap((source) => [...source()]),
  };
}
