import { createNoopMeter } from '@opentelemetry/api';
import type { Meter } from '@opentelemetry/api';
import { createInstruments, STATE_GAUGES } from '../../src/telemetry/index.js';
import { startRuntimeMetrics } from '../../src/telemetry/runtime.js';

type InstrumentKind = 'counter' | 'histogram' | 'gauge';

const KIND_OF: Readonly<Record<string, InstrumentKind>> = {
  createCounter: 'counter',
  createObservableCounter: 'counter',
  createHistogram: 'histogram',
  createGauge: 'gauge',
  createUpDownCounter: 'gauge',
  createObservableGauge: 'gauge',
  createObservableUpDownCounter: 'gauge',
};

/** A no-op Meter that remembers the name and kind of every instrument created on it. */
function recordingMeter(seen: Array<{ name: string; kind: InstrumentKind }>): Meter {
  const noop = createNoopMeter();
  return new Proxy(noop, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      const kind = typeof prop === 'string' ? KIND_OF[prop] : undefined;
      if (kind === undefined || typeof value !== 'function') return value;
      return (name: string, ...rest: unknown[]) => {
        seen.push({ name, kind });
        return (value as (...a: unknown[]) => unknown).call(target, name, ...rest);
      };
    },
  });
}

/**
 * Series names as Prometheus stores them, per the naming both paths share (DESIGN.md §6): dots
 * become underscores, monotonic counters end in `_total`, histograms expand to _bucket/_sum/_count,
 * and no unit suffix is added (the JS exporter adds none; otel/collector.yaml asks for none).
 */
export function prometheusSeriesNames(name: string, kind: InstrumentKind): string[] {
  const base = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (kind === 'counter') return [base.endsWith('_total') ? base : `${base}_total`];
  if (kind === 'histogram') return [`${base}_bucket`, `${base}_sum`, `${base}_count`];
  return [base];
}

/**
 * Names the controller exports, read from the code itself (instrument catalogue, state gauges,
 * runtime metrics), plus `target_info`, Prometheus' `up` and the kube-state-metrics series the
 * alerts use.
 */
export function knownMetricNames(): Set<string> {
  const seen: Array<{ name: string; kind: InstrumentKind }> = [];
  const meter = recordingMeter(seen);
  createInstruments(meter);
  startRuntimeMetrics(meter).stop();
  for (const gauge of Object.values(STATE_GAUGES)) seen.push({ name: gauge.name, kind: 'gauge' });
  const names = new Set(seen.flatMap((i) => prometheusSeriesNames(i.name, i.kind)));
  for (const extra of ['target_info', 'up', 'kube_deployment_status_replicas_ready', 'kube_deployment_spec_replicas']) names.add(extra);
  return names;
}

const NOT_METRICS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * Metric names a PromQL expression selects. String literals, label matchers, ranges, grouping
 * clauses and Grafana variables are removed first; what remains and is not followed by `(`
 * (a function or aggregation) nor a keyword or number is a metric name.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![A-Za-z0-9_:.])([A-Za-z_:][A-Za-z0-9_:]*)(?![A-Za-z0-9_:])(\s*\()?/g)) {
    const [, name, call] = match;
    if (name === undefined || call !== undefined || NOT_METRICS.has(name.toLowerCase())) continue;
    if (/^[0-9]/.test(name) || /^[0-9.]+[smhdwy]$/.test(name)) continue;
    names.add(name);
  }
  return [...names].sort();
}
