import { ValueType } from '@opentelemetry/api';
import type { Attributes, Counter, Histogram, HrTime, Meter, MetricOptions } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, InstrumentType } from '@opentelemetry/sdk-metrics';
import type { CollectionResult, DataPoint, Histogram as HistogramValue, MetricData, MetricProducer, ResourceMetrics } from '@opentelemetry/sdk-metrics';

/**
 * Counters and histograms that aggregate in place and are reported at collection time by a
 * `MetricProducer`, instead of through the SDK's sync instruments. The SDK hashes the attribute
 * set of every call (sort + JSON.stringify) to find its series: that was most of the cost of
 * `Counter.add` (2.6x prom-client). Here a call finds its series through a key built from the
 * attributes in the order given (no sort), and only a first-seen key pays for the sorted,
 * canonical lookup, so `{a, b}` and `{b, a}` are still one series.
 *
 * Behaviour kept from the SDK: negative and NaN values are dropped (a counter is monotonic, a
 * histogram records non-negative values); at most `CARDINALITY_LIMIT` series per instrument,
 * the rest folded into one series with `otel.metric.overflow=true`; cumulative or delta points
 * per reader, as the reader's temporality selector asks; a series is reported once created.
 */

/** The SDK's default cardinality limit per metric stream. */
export const CARDINALITY_LIMIT = 2000;
const OVERFLOW: Attributes = Object.freeze({ 'otel.metric.overflow': true });
/** The SDK's default explicit bucket boundaries, for histograms created without advice. */
const DEFAULT_BOUNDARIES = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

interface SumSeries {
  readonly attributes: Attributes;
  readonly startMs: number;
  value: number;
}

interface HistogramSeries {
  readonly attributes: Attributes;
  readonly startMs: number;
  readonly counts: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** A trie over (name, value) pairs in the order given; a leaf holds the series. */
interface Node<S> {
  next: Map<string, Map<unknown, Node<S>>> | undefined;
  series: S | undefined;
}

const node = <S>(): Node<S> => ({ next: undefined, series: undefined });

/**
 * Series of one instrument. A call walks a trie keyed by the attribute names and values as given
 * (Map lookups of strings whose hashes V8 caches: no string is built per call); a path not seen
 * yet takes the canonical, sorted lookup once, so `{a, b}` and `{b, a}` are still one series.
 */
class SeriesTable<S> {
  private readonly root: Node<S> = node();
  private readonly canonical = new Map<string, S>();
  private overflow: S | undefined;

  constructor(private readonly create: (attributes: Attributes) => S) {}

  get(attributes: Attributes): S {
    let at: Node<S> | undefined = this.root;
    for (const name in attributes) {
      const v = attributes[name];
      if (v === undefined) continue;
      at = at.next?.get(name)?.get(v);
      if (at === undefined) return this.firstSeen(attributes);
    }
    return at.series ?? this.firstSeen(attributes);
  }

  private firstSeen(attributes: Attributes): S {
    const given = Object.keys(attributes).filter((n) => attributes[n] !== undefined);
    const canonicalKey = JSON.stringify([...given].sort().map((n) => [n, attributes[n]]));
    let series = this.canonical.get(canonicalKey);
    if (series === undefined) {
      // Past the limit, new attribute sets share one series and are not remembered (memory stays bounded).
      if (this.canonical.size >= CARDINALITY_LIMIT) return (this.overflow ??= this.create(OVERFLOW));
      // A copy in the order first given, as the SDK keeps it (the label order of the exposition).
      series = this.create(Object.freeze(Object.fromEntries(given.map((n) => [n, attributes[n]]))));
      this.canonical.set(canonicalKey, series);
    }
    // Array values compare by identity in a Map: such sets always take the canonical lookup.
    if (given.every((n) => typeof attributes[n] !== 'object')) this.remember(given, attributes, series);
    return series;
  }

  private remember(names: readonly string[], attributes: Attributes, series: S): void {
    let at = this.root;
    for (const name of names) {
      at.next ??= new Map();
      let byValue = at.next.get(name);
      if (byValue === undefined) at.next.set(name, (byValue = new Map()));
      let child = byValue.get(attributes[name]);
      if (child === undefined) byValue.set(attributes[name], (child = node()));
      at = child;
    }
    at.series = series;
  }

  all(): S[] {
    const list = [...this.canonical.values()];
    if (this.overflow !== undefined) list.push(this.overflow);
    return list;
  }
}

const EMPTY: Attributes = Object.freeze({});

interface Described {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
}

class AccumulatingCounter implements Counter {
  readonly table: SeriesTable<SumSeries>;

  constructor(readonly spec: Described, now: () => number) {
    this.table = new SeriesTable((attributes) => ({ attributes, startMs: now(), value: 0 }));
  }

  add(value: number, attributes?: Attributes): void {
    if (!(value >= 0)) return;
    this.table.get(attributes ?? EMPTY).value += value;
  }
}

class AccumulatingHistogram implements Histogram {
  readonly table: SeriesTable<HistogramSeries>;

  constructor(readonly spec: Described, readonly boundaries: readonly number[], now: () => number) {
    const buckets = boundaries.length + 1;
    this.table = new SeriesTable((attributes) => ({ attributes, startMs: now(), counts: new Array<number>(buckets).fill(0), count: 0, sum: 0, min: Infinity, max: -Infinity }));
  }

  record(value: number, attributes?: Attributes): void {
    if (!(value >= 0)) return;
    const s = this.table.get(attributes ?? EMPTY);
    // Boundaries are inclusive upper bounds: the first boundary >= value names the bucket.
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((b[mid] as number) < value) lo = mid + 1;
      else hi = mid;
    }
    (s.counts[lo] as number)++;
    s.count++;
    s.sum += value;
    if (value < s.min) s.min = value;
    if (value > s.max) s.max = value;
  }
}

export interface Accumulators {
  /**
   * A meter whose `createCounter` and `createHistogram` return accumulating instruments (an
   * instrument created twice under one name is the same instrument); every other instrument
   * comes from `meter`.
   */
  wrap(meter: Meter): Meter;
  /** A producer for one reader; `temporality` is that reader's selector (`MetricReader.selectAggregationTemporality`). */
  producer(temporality: (type: InstrumentType) => AggregationTemporality): MetricProducer;
}

export interface AccumulatorOptions {
  /** Instrumentation scope the points are reported under (the meter's name and version). */
  readonly scope: { readonly name: string; readonly version?: string };
  /** Clock seam, ms since epoch; default `Date.now`. */
  readonly now?: () => number;
}

export function createAccumulators(options: AccumulatorOptions): Accumulators {
  const now = options.now ?? Date.now;
  const counters = new Map<string, AccumulatingCounter>();
  const histograms = new Map<string, AccumulatingHistogram>();
  // Reported in creation order, as the SDK reports its instruments.
  const ordered: Array<AccumulatingCounter | AccumulatingHistogram> = [];
  const describe = (name: string, o: MetricOptions | undefined): Described => ({ name, description: o?.description ?? '', unit: o?.unit ?? '' });

  const wrap = (meter: Meter): Meter => ({
    createGauge: (name, o) => meter.createGauge(name, o),
    createUpDownCounter: (name, o) => meter.createUpDownCounter(name, o),
    createObservableGauge: (name, o) => meter.createObservableGauge(name, o),
    createObservableCounter: (name, o) => meter.createObservableCounter(name, o),
    createObservableUpDownCounter: (name, o) => meter.createObservableUpDownCounter(name, o),
    addBatchObservableCallback: (cb, observables) => meter.addBatchObservableCallback(cb, observables),
    removeBatchObservableCallback: (cb, observables) => meter.removeBatchObservableCallback(cb, observables),
    createCounter: (name, o) => {
      let c = counters.get(name);
      if (c === undefined) {
        counters.set(name, (c = new AccumulatingCounter(describe(name, o), now)));
        ordered.push(c);
      }
      return c;
    },
    createHistogram: (name, o) => {
      let h = histograms.get(name);
      if (h === undefined) {
        histograms.set(name, (h = new AccumulatingHistogram(describe(name, o), [...(o?.advice?.explicitBucketBoundaries ?? DEFAULT_BOUNDARIES)], now)));
        ordered.push(h);
      }
      return h;
    },
  });

  return { wrap, producer: (temporality) => createProducer({ instruments: ordered, scope: options.scope, now, temporality }) };
}

interface ProducerParts {
  readonly instruments: ReadonlyArray<AccumulatingCounter | AccumulatingHistogram>;
  readonly scope: AccumulatorOptions['scope'];
  readonly now: () => number;
  readonly temporality: (type: InstrumentType) => AggregationTemporality;
}

function createProducer(p: ProducerParts): MetricProducer {
  // For delta readers: what this reader was last sent of each series, and when.
  const sentSums = new WeakMap<SumSeries, number>();
  const sentHistograms = new WeakMap<HistogramSeries, { counts: number[]; count: number; sum: number }>();
  let lastMs: number | undefined;
  return {
    collect: async (): Promise<CollectionResult> => {
      const endMs = p.now();
      const delta = { counter: p.temporality(InstrumentType.COUNTER) === AggregationTemporality.DELTA, histogram: p.temporality(InstrumentType.HISTOGRAM) === AggregationTemporality.DELTA };
      const metrics: MetricData[] = [];
      for (const i of p.instruments) {
        if (i instanceof AccumulatingCounter) {
          const points = sumPoints(i.table.all(), endMs, delta.counter ? { sent: sentSums, lastMs } : undefined);
          if (points.length > 0) metrics.push({ descriptor: descriptor(i.spec), aggregationTemporality: temporalityOf(delta.counter), dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints: points });
        } else {
          const points = histogramPoints(i, endMs, delta.histogram ? { sent: sentHistograms, lastMs } : undefined);
          if (points.length > 0) metrics.push({ descriptor: descriptor(i.spec), aggregationTemporality: temporalityOf(delta.histogram), dataPointType: DataPointType.HISTOGRAM, dataPoints: points });
        }
      }
      lastMs = endMs;
      // The reader takes the resource from the SDK's own collection; this one is never read.
      const resourceMetrics = { resource: undefined, scopeMetrics: metrics.length === 0 ? [] : [{ scope: p.scope, metrics }] } as unknown as ResourceMetrics;
      return { resourceMetrics, errors: [] };
    },
  };
}

function descriptor(spec: Described) {
  return { name: spec.name, description: spec.description, unit: spec.unit, valueType: ValueType.DOUBLE };
}

function temporalityOf(delta: boolean): AggregationTemporality {
  return delta ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
}

interface DeltaState<T> {
  readonly sent: WeakMap<object, T>;
  readonly lastMs: number | undefined;
}

function sumPoints(series: readonly SumSeries[], endMs: number, delta: DeltaState<number> | undefined): DataPoint<number>[] {
  const points: DataPoint<number>[] = [];
  for (const s of series) {
    if (delta === undefined) {
      points.push({ startTime: hr(s.startMs), endTime: hr(endMs), attributes: s.attributes, value: s.value });
      continue;
    }
    const before = delta.sent.get(s);
    // A delta reader is sent only series that moved since its last collection.
    if (before === s.value) continue;
    delta.sent.set(s, s.value);
    points.push({ startTime: hr(before === undefined ? s.startMs : (delta.lastMs ?? s.startMs)), endTime: hr(endMs), attributes: s.attributes, value: s.value - (before ?? 0) });
  }
  return points;
}

function histogramPoints(h: AccumulatingHistogram, endMs: number, delta: DeltaState<{ counts: number[]; count: number; sum: number }> | undefined): DataPoint<HistogramValue>[] {
  const points: DataPoint<HistogramValue>[] = [];
  const boundaries = [...h.boundaries];
  for (const s of h.table.all()) {
    if (delta === undefined) {
      const value = { buckets: { boundaries, counts: [...s.counts] }, count: s.count, sum: s.sum, ...(s.count > 0 ? { min: s.min, max: s.max } : {}) };
      points.push({ startTime: hr(s.startMs), endTime: hr(endMs), attributes: s.attributes, value });
      continue;
    }
    const before = delta.sent.get(s);
    if (before !== undefined && before.count === s.count) continue;
    delta.sent.set(s, { counts: [...s.counts], count: s.count, sum: s.sum });
    // min and max of an interval cannot be derived from running totals: a delta point carries none.
    const counts = s.counts.map((c, i) => c - (before?.counts[i] ?? 0));
    const value = { buckets: { boundaries, counts }, count: s.count - (before?.count ?? 0), sum: s.sum - (before?.sum ?? 0) };
    points.push({ startTime: hr(before === undefined ? s.startMs : (delta.lastMs ?? s.startMs)), endTime: hr(endMs), attributes: s.attributes, value });
  }
  return points;
}

function hr(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}
