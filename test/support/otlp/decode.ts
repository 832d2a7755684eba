/** One data point as the receiver saw it. Histograms report their `sum` as `value`. */
export interface ReceivedPoint {
  readonly attributes: Record<string, unknown>;
  readonly value: number;
  /** Histograms only. */
  readonly count?: number;
  /** Histograms only. */
  readonly bucketCounts?: number[];
  /** Histograms only. */
  readonly explicitBounds?: number[];
}

export interface ReceivedMetric {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly type: 'gauge' | 'sum' | 'histogram' | 'other';
  /** `sum` only. */
  readonly monotonic?: boolean;
  /** OTLP AggregationTemporality: 1 delta, 2 cumulative. */
  readonly temporality?: number;
  readonly scope: string;
  readonly resourceAttributes: Record<string, unknown>;
  readonly points: ReceivedPoint[];
}

type Json = Record<string, unknown>;

const asObject = (v: unknown): Json => (v !== null && typeof v === 'object' ? (v as Json) : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asNumber = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : 0);

/** An OTLP AnyValue (JSON spelling) as a plain JS value; 64-bit ints become numbers. */
export function anyValue(value: unknown): unknown {
  const v = asObject(value);
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return asNumber(v.intValue);
  if ('doubleValue' in v) return asNumber(v.doubleValue);
  if ('arrayValue' in v) return asArray(asObject(v.arrayValue).values).map(anyValue);
  if ('kvlistValue' in v) return attributes(asObject(v.kvlistValue).values);
  if ('bytesValue' in v) return v.bytesValue;
  return undefined;
}

export function attributes(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of asArray(list)) {
    const { key, value } = asObject(kv);
    if (typeof key === 'string') out[key] = anyValue(value);
  }
  return out;
}

function numberPoint(p: unknown): ReceivedPoint {
  const o = asObject(p);
  return { attributes: attributes(o.attributes), value: 'asDouble' in o ? asNumber(o.asDouble) : asNumber(o.asInt) };
}

function histogramPoint(p: unknown): ReceivedPoint {
  const o = asObject(p);
  return {
    attributes: attributes(o.attributes),
    value: asNumber(o.sum),
    count: asNumber(o.count),
    bucketCounts: asArray(o.bucketCounts).map(asNumber),
    explicitBounds: asArray(o.explicitBounds).map(asNumber),
  };
}

function metric(m: unknown, scope: string, resourceAttributes: Record<string, unknown>): ReceivedMetric {
  const o = asObject(m);
  const base = { name: String(o.name ?? ''), unit: String(o.unit ?? ''), description: String(o.description ?? ''), scope, resourceAttributes };
  if ('gauge' in o) return { ...base, type: 'gauge', points: asArray(asObject(o.gauge).dataPoints).map(numberPoint) };
  if ('sum' in o) {
    const sum = asObject(o.sum);
    return { ...base, type: 'sum', monotonic: sum.isMonotonic === true, temporality: asNumber(sum.aggregationTemporality), points: asArray(sum.dataPoints).map(numberPoint) };
  }
  if ('histogram' in o) {
    const h = asObject(o.histogram);
    return { ...base, type: 'histogram', temporality: asNumber(h.aggregationTemporality), points: asArray(h.dataPoints).map(histogramPoint) };
  }
  return { ...base, type: 'other', points: [] };
}

/** Flattens an ExportMetricsServiceRequest (OTLP/JSON shape) into its resources and metrics. */
export function flattenRequest(request: unknown): { resources: Record<string, unknown>[]; metrics: ReceivedMetric[] } {
  const resources: Record<string, unknown>[] = [];
  const metrics: ReceivedMetric[] = [];
  for (const rm of asArray(asObject(request).resourceMetrics)) {
    const r = asObject(rm);
    const resourceAttributes = attributes(asObject(r.resource).attributes);
    resources.push(resourceAttributes);
    for (const sm of asArray(r.scopeMetrics)) {
      const s = asObject(sm);
      const scope = String(asObject(s.scope).name ?? '');
      for (const m of asArray(s.metrics)) metrics.push(metric(m, scope, resourceAttributes));
    }
  }
  return { resources, metrics };
}
