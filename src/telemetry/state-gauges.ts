import { ValueType } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import type { CollectionResult, DataPoint, GaugeMetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import { STATE_GAUGES } from './instruments.js';
import type { AddStateGauge, StateGaugeKey, StateGaugeSource } from './instruments.js';

/** Instrumentation scope of the state gauges (dropped from Prometheus output by `withoutScopeInfo`). */
const SCOPE = { name: 'kube-ovn-controller/state' };

export interface StateGauges {
  /** Registers a source; see `AddStateGauge`. */
  readonly add: AddStateGauge;
  /**
   * Reports the points every source returns at the moment of collection, as GAUGE data.
   * Hand it to every reader, so a series its source stops returning is absent from the next
   * scrape and export (unlike observable gauges, opentelemetry-js issue #4096).
   */
  readonly producer: MetricProducer;
}

export interface StateGaugeOptions {
  readonly resource: Resource;
  /** Clock seam, ms since epoch; default `Date.now`. */
  readonly now?: () => number;
  /** Where a source that throws is reported; collection goes on with the other sources. */
  readonly onSourceError?: (key: StateGaugeKey, error: unknown) => void;
}

export function createStateGauges(options: StateGaugeOptions): StateGauges {
  const now = options.now ?? Date.now;
  const sources = new Map<StateGaugeKey, Set<StateGaugeSource>>();
  // The first collection is the natural start of every gauge point; it is only informative for gauges.
  const startMs = now();

  const add: AddStateGauge = (key, source) => {
    let set = sources.get(key);
    if (set === undefined) {
      set = new Set();
      sources.set(key, set);
    }
    // A wrapper makes the same function registrable twice with independent removal.
    const entry: StateGaugeSource = () => source();
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  };

  const collectOne = (key: StateGaugeKey, set: Set<StateGaugeSource>, start: HrTime, end: HrTime): GaugeMetricData | undefined => {
    const dataPoints: DataPoint<number>[] = [];
    for (const source of set) {
      try {
        for (const point of source()) {
          dataPoints.push({ startTime: start, endTime: end, attributes: { ...point.attributes }, value: point.value });
        }
      } catch (error) {
        options.onSourceError?.(key, error);
      }
    }
    if (dataPoints.length === 0) return undefined;
    const spec = STATE_GAUGES[key];
    return {
      descriptor: { name: spec.name, unit: spec.unit, description: spec.description, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints,
    };
  };

  const producer: MetricProducer = {
    collect: async (): Promise<CollectionResult> => {
      const start = toHrTime(startMs);
      const end = toHrTime(now());
      const metrics: GaugeMetricData[] = [];
      for (const [key, set] of sources) {
        const metric = collectOne(key, set, start, end);
        if (metric !== undefined) metrics.push(metric);
      }
      return {
        resourceMetrics: { resource: options.resource, scopeMetrics: metrics.length === 0 ? [] : [{ scope: SCOPE, metrics }] },
        errors: [],
      };
    },
  };
  return { add, producer };
}

function toHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}
