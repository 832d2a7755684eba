import type { ExporterConfig, MetricsConfig } from './types.js';
import { ConfigError, expected, show } from './errors.js';
import { parseKeyValueList } from './kvlist.js';
import { parseOtlp } from './otlp.js';
import type { EnvSource, Resolved, Resolver } from './sources.js';
import { describe } from './sources.js';
import { parseBindAddress, parseBool, parseOtelMillis, parsePort } from './values.js';

export type ExporterKind = ExporterConfig['kind'];
const KINDS = ['none', 'prometheus', 'otlp', 'console'] as const;
const DEFAULT_SERVICE_NAME = 'kube-ovn-controller';

/** Parsed `--metrics-exporter`: de-duplicated kinds in the order given; `[]` for `none`; empty input means the default. */
export function parseExporterList(resolved: Resolved): ExporterKind[] {
  const items = resolved.raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const list = items.length === 0 ? ['prometheus'] : items;
  const kinds: (typeof KINDS)[number][] = [];
  for (const item of list) {
    const kind = KINDS.find((k) => k === item);
    if (kind === undefined) throw expected(resolved.name, 'a comma list of `none`, `prometheus`, `otlp`, `console`', resolved.raw);
    if (!kinds.includes(kind)) kinds.push(kind);
  }
  if (kinds.includes('none') && kinds.length > 1) {
    throw new ConfigError(`${resolved.name}: \`none\` cannot be combined with other exporters, got ${show(resolved.raw)}`);
  }
  return kinds.filter((k): k is ExporterKind => k !== 'none');
}

/** Whether the user explicitly asked for some exporter (an empty value is the default, not a request). */
function explicitExporters(resolved: Resolved, kinds: readonly ExporterKind[]): boolean {
  return resolved.explicit && resolved.raw.trim() !== '' && kinds.length > 0;
}

export interface ExporterChoice {
  readonly kinds: readonly ExporterKind[];
  readonly warnings: readonly string[];
}

/**
 * Applies `--enable-metrics` and `OTEL_SDK_DISABLED` to the exporter list. `--enable-metrics=false`
 * with an explicit non-`none` exporter is a contradiction and throws; `OTEL_SDK_DISABLED=true`
 * silences everything (spec semantics: it exists to switch a configured SDK off) with a warning.
 */
export function chooseExporters(resolve: Resolver): ExporterChoice {
  const exporter = resolve('metricsExporter');
  const kinds = parseExporterList(exporter);
  const enable = resolve('enableMetrics');
  const enabled = parseBool(enable.raw, enable.name);
  if (!enabled) {
    if (explicitExporters(exporter, kinds)) {
      throw new ConfigError(
        `${enable.name}: ${show(enable.raw)} disables metrics but ${exporter.name} is ${show(exporter.raw)}; ` +
          `remove one of them or set ${exporter.name} to \`none\``,
      );
    }
    return { kinds: [], warnings: [] };
  }
  const disabled = resolve('sdkDisabled');
  const word = disabled.raw.trim().toLowerCase();
  // The spec is explicit here: only `true` (any case) disables, anything else is false with a warning.
  const warnings = word === 'true' || word === 'false' ? [] : [`OTEL_SDK_DISABLED: ${show(disabled.raw)} is not \`true\` or \`false\`; read as \`false\` (OTel spec)`];
  if (word === 'true' && explicitExporters(exporter, kinds)) {
    warnings.push(`OTEL_SDK_DISABLED is \`true\`: no metrics are exported although ${exporter.name} is ${show(exporter.raw)}`);
  }
  return { kinds: word === 'true' ? [] : kinds, warnings };
}

/** `OTEL_METRIC_EXPORT_INTERVAL`/`_TIMEOUT`, ms. An unset timeout is lowered to a shorter interval; an explicit one longer than the interval is an error. */
export function pushPeriod(resolve: Resolver): { intervalMs: number; exportTimeoutMs: number } {
  const interval = resolve('exportInterval');
  const timeout = resolve('exportTimeout');
  const intervalMs = parseOtelMillis(interval.raw, interval.name);
  const timeoutMs = parseOtelMillis(timeout.raw, timeout.name);
  if (timeoutMs <= intervalMs) return { intervalMs, exportTimeoutMs: timeoutMs };
  if (!timeout.explicit) return { intervalMs, exportTimeoutMs: intervalMs };
  throw new ConfigError(
    `${timeout.name}: ${show(timeout.raw)} ms exceeds ${describe(interval)} ms; the export timeout must not exceed the interval`,
  );
}

/** The exporters' configurations, in the order chosen. `prometheus` must already have a validated host and port. */
export function buildExporters(
  kinds: readonly ExporterKind[],
  prometheus: Omit<Extract<ExporterConfig, { kind: 'prometheus' }>, 'kind'>,
  resolve: Resolver,
  env: EnvSource,
): ExporterConfig[] {
  // The push settings are read only when a push exporter is chosen: pods often inherit OTLP
  // variables meant for other containers, and those must not stop a Prometheus-only controller.
  const needsPeriod = kinds.includes('otlp') || kinds.includes('console');
  const period = needsPeriod ? pushPeriod(resolve) : undefined;
  return kinds.map((kind): ExporterConfig => {
    if (kind === 'prometheus') return { kind, ...prometheus };
    if (period === undefined) throw new Error('push period missing for a push exporter');
    if (kind === 'console') return { kind, ...period };
    return { kind, ...parseOtlp(env), ...period };
  });
}

/** Validated Prometheus address and port (checked even when `prometheus` is not chosen: they are our own flags). */
export function prometheusListen(resolve: Resolver): { host: string; port: number } {
  const host = resolve('metricsBindAddress');
  const port = resolve('metricsPort');
  return { host: parseBindAddress(host.raw, host.name), port: parsePort(port.raw, port.name) };
}

/** `OTEL_RESOURCE_ATTRIBUTES` and `service.name`: OTEL_SERVICE_NAME, else the attribute, else `kube-ovn-controller`. */
export function resource(env: EnvSource): { serviceName: string; resourceAttributes: Record<string, string> } {
  const raw = env.get('OTEL_RESOURCE_ATTRIBUTES');
  const resourceAttributes = raw === undefined ? {} : parseKeyValueList(raw, { setting: 'OTEL_RESOURCE_ATTRIBUTES', showValues: true });
  const serviceName = env.get('OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? DEFAULT_SERVICE_NAME;
  return { serviceName, resourceAttributes };
}

/** The one-line 404 body of `/metrics` on the health port. */
export function metricsHint(exporters: readonly ExporterConfig[]): string {
  // A fixed order (pull, push, print), whatever order the list was given in.
  const order: readonly ExporterKind[] = ['prometheus', 'otlp', 'console'];
  const sorted = [...exporters].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  const parts = sorted.map((e) => {
    switch (e.kind) {
      case 'prometheus':
        return e.secure === undefined ? `served at :${e.port}/metrics` : `served at https://:${e.port}/metrics (bearer token required)`;
      case 'otlp':
        return 'pushed with OTLP';
      case 'console':
        return 'printed to stdout';
    }
  });
  if (parts.length === 0) return 'metrics are disabled';
  const last = parts.pop();
  return parts.length === 0 ? `metrics are ${last}` : `metrics are ${parts.join(', ')} and ${last}`;
}

export function assembleMetrics(
  exporters: readonly ExporterConfig[],
  env: EnvSource,
): MetricsConfig {
  return { exporters, hint: metricsHint(exporters), ...resource(env) };
}
