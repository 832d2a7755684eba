import type { ExporterConfig } from './types.js';
import { ConfigError, expected, show } from './errors.js';
import { parseKeyValueList } from './kvlist.js';
import type { EnvSource } from './sources.js';
import { parseOtelMillis } from './values.js';

type OtlpConfig = Extract<ExporterConfig, { kind: 'otlp' }>;

/** The OTel spec's default for OTLP/HTTP metrics when no endpoint variable is set. */
export const DEFAULT_OTLP_METRICS_URL = 'http://localhost:4318/v1/metrics';
export const DEFAULT_OTLP_TIMEOUT_MS = 10_000;
const PROTOCOLS = ['http/protobuf', 'http/json'] as const;
const TEMPORALITIES = ['cumulative', 'delta', 'lowmemory'] as const;

function checkUrl(url: string, setting: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw expected(setting, 'an http:// or https:// URL', url);
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') {
    throw expected(setting, 'an http:// or https:// URL', url);
  }
  return url;
}

/**
 * The metrics URL per the OTLP exporter spec: the signal-specific variable as is; else the base
 * endpoint with `v1/metrics` appended after exactly one `/`; else `http://localhost:4318/v1/metrics`.
 */
export function otlpMetricsUrl(env: EnvSource): string {
  const specific = env.get('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  if (specific !== undefined) return checkUrl(specific.trim(), 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  const base = env.get('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (base === undefined) return DEFAULT_OTLP_METRICS_URL;
  const trimmed = checkUrl(base.trim(), 'OTEL_EXPORTER_OTLP_ENDPOINT');
  return trimmed.endsWith('/') ? `${trimmed}v1/metrics` : `${trimmed}/v1/metrics`;
}

/** `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL` over `OTEL_EXPORTER_OTLP_PROTOCOL`; default `http/protobuf`. gRPC is refused: only the HTTP exporters are installed. */
export function otlpProtocol(env: EnvSource): OtlpConfig['protocol'] {
  const [setting, raw] = env.first('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL');
  if (raw === undefined) return 'http/protobuf';
  const value = raw.trim();
  const found = PROTOCOLS.find((p) => p === value);
  if (found !== undefined) return found;
  if (value === 'grpc') {
    throw new ConfigError(`${setting}: \`grpc\` is not supported (only OTLP over HTTP is built in); use \`http/protobuf\` or \`http/json\``);
  }
  throw expected(setting, '`http/protobuf` or `http/json`', raw);
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// eslint-disable-next-line no-control-regex
const BAD_HEADER_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]/;

function headersFrom(setting: string, raw: string | undefined): Record<string, string> {
  if (raw === undefined) return {};
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(parseKeyValueList(raw, { setting, showValues: false }))) {
    if (!HEADER_NAME.test(name)) throw expected(setting, 'HTTP header names (letters, digits and !#$%&\'*+-.^_`|~)', name);
    // Values are withheld from messages: headers usually carry credentials.
    if (BAD_HEADER_VALUE.test(value)) throw new ConfigError(`${setting}: the value of header ${show(name)} contains a control character (value withheld)`);
    out.set(name.toLowerCase(), value);
  }
  return Object.fromEntries(out);
}

/** `OTEL_EXPORTER_OTLP_HEADERS`, then `OTEL_EXPORTER_OTLP_METRICS_HEADERS` merged over it; names lower-cased (HTTP names are case-insensitive). */
export function otlpHeaders(env: EnvSource): Record<string, string> {
  return {
    ...headersFrom('OTEL_EXPORTER_OTLP_HEADERS', env.get('OTEL_EXPORTER_OTLP_HEADERS')),
    ...headersFrom('OTEL_EXPORTER_OTLP_METRICS_HEADERS', env.get('OTEL_EXPORTER_OTLP_METRICS_HEADERS')),
  };
}

/** `OTEL_EXPORTER_OTLP_METRICS_TIMEOUT` over `OTEL_EXPORTER_OTLP_TIMEOUT`, ms; default 10000. */
export function otlpTimeoutMs(env: EnvSource): number {
  const [setting, raw] = env.first('OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT');
  return raw === undefined ? DEFAULT_OTLP_TIMEOUT_MS : parseOtelMillis(raw, setting);
}

/** `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`, any case; default `cumulative`. */
export function otlpTemporality(env: EnvSource): OtlpConfig['temporality'] {
  const setting = 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE';
  const raw = env.get(setting);
  if (raw === undefined) return 'cumulative';
  const found = TEMPORALITIES.find((t) => t === raw.trim().toLowerCase());
  if (found === undefined) throw expected(setting, '`cumulative`, `delta` or `lowmemory`', raw);
  return found;
}

/** Everything the OTLP exporter needs except the push period, which it shares with `console`. */
export function parseOtlp(env: EnvSource): Omit<OtlpConfig, 'kind' | 'intervalMs' | 'exportTimeoutMs'> {
  return {
    url: otlpMetricsUrl(env),
    protocol: otlpProtocol(env),
    headers: otlpHeaders(env),
    requestTimeoutMs: otlpTimeoutMs(env),
    temporality: otlpTemporality(env),
  };
}

/**
 * Every credential the configuration carries, for the logger to scrub: OTLP header values and the
 * user info of OTLP URLs (raw and percent-decoded). They must never reach a log line.
 */
export function credentialsOf(exporters: readonly ExporterConfig[]): string[] {
  const out: string[] = [];
  for (const e of exporters) {
    if (e.kind !== 'otlp') continue;
    out.push(...Object.values(e.headers));
    try {
      const url = new URL(e.url);
      for (const part of [url.username, url.password]) if (part !== '') out.push(part, safeDecode(part));
    } catch {
      // checked when parsed; nothing to add
    }
  }
  return [...new Set(out)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
