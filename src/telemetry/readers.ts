import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { AggregationTemporalityPreference, OTLPMetricExporter as OTLPJsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricProducer, MetricReader } from '@opentelemetry/sdk-metrics';
import type { ExporterConfig } from '../config/types.js';
import type { Logger, RateLimitedLogger } from '../log/index.js';
import { startMetricsEndpoint } from '../serving/index.js';
import type { AccessReviewer, MetricsEndpoint } from '../serving/index.js';
import { guardExporter } from './export-guard.js';
import { LogMetricExporter } from './log-exporter.js';

/**
 * Most OTLP requests in flight at once (the SDK's default is 30). Each holds one serialized
 * export, so against a collector that accepts and never answers this bounds memory; an export
 * beyond it fails at once and is logged.
 */
const OTLP_CONCURRENCY_LIMIT = 4;

/** One reader on the provider and what it needs around its lifecycle. */
export interface ReaderHandle {
  readonly kind: ExporterConfig['kind'];
  readonly reader: MetricReader;
  /** Starts what the reader serves (the Prometheus HTTP server); never rejects. */
  start(deps: StartDeps): Promise<void>;
  /** Closes what `start` opened, force-closing connections after `timeoutMs`; never rejects. */
  close(timeoutMs: number): Promise<void>;
  /** Drops open connections at once; for a shutdown that ran out of time. */
  abort(): void;
}

/** What serving needs that exists only once the kube client does. */
export interface StartDeps {
  /** TokenReview/SubjectAccessReview calls; required when the Prometheus exporter has `secure`. */
  readonly reviewer?: AccessReviewer;
}

export interface ReaderContext {
  readonly producers: MetricProducer[];
  readonly logger: Logger;
  readonly limited: RateLimitedLogger;
}

export function createReader(config: ExporterConfig, context: ReaderContext): ReaderHandle {
  switch (config.kind) {
    case 'prometheus':
      return prometheusReader(config, context);
    case 'otlp':
      return otlpReader(config, context);
    case 'console':
      return consoleReader(config, context);
  }
}

function prometheusReader(config: Extract<ExporterConfig, { kind: 'prometheus' }>, context: ReaderContext): ReaderHandle {
  // The exporter's own HTTP server is never started: its collection is served through our
  // listener (TLS, authentication, timeouts and caps), with the exporter's public request handler.
  const exporter = new PrometheusExporter({
    host: config.host,
    port: config.port,
    withoutScopeInfo: true,
    preventServerStart: true,
    metricProducers: context.producers,
  });
  const where = { host: config.host, port: config.port, secure: config.secure !== undefined };
  let endpoint: MetricsEndpoint | undefined;
  return {
    kind: 'prometheus',
    // The exporter is built on its own copy of sdk-metrics (3.1.0 beside our 3.1.1); the reader
    // contract is the same, only TypeScript's nominal check on private fields differs.
    reader: exporter as unknown as MetricReader,
    start: async (deps) => {
      try {
        endpoint = await startMetricsEndpoint({
          host: config.host,
          port: config.port,
          handler: (req, res) => exporter.getMetricsRequestHandler(req, res),
          ...(config.secure === undefined ? {} : { secure: config.secure }),
          ...(deps.reviewer === undefined ? {} : { reviewer: deps.reviewer }),
          logger: context.logger,
          limited: context.limited,
        });
        context.logger.info({ ...where, host: endpoint.host, scheme: endpoint.scheme }, 'prometheus metrics endpoint listening');
      } catch (err) {
        context.logger.error({ ...where, err }, 'prometheus metrics endpoint could not listen; metrics are not served, the controller keeps running');
      }
    },
    close: async (timeoutMs) => endpoint?.close(timeoutMs),
    abort: () => void endpoint?.close(0),
  };
}

type OtlpOptions = NonNullable<ConstructorParameters<typeof OTLPProtoExporter>[0]>;

const TEMPORALITY = {
  cumulative: AggregationTemporalityPreference.CUMULATIVE,
  delta: AggregationTemporalityPreference.DELTA,
  lowmemory: AggregationTemporalityPreference.LOWMEMORY,
} as const;

function otlpReader(config: Extract<ExporterConfig, { kind: 'otlp' }>, context: ReaderContext): ReaderHandle {
  // Our own agents, so shutdown can destroy the sockets of hung requests; after that they refuse
  // new connections with a non-retryable error, so the exporter's retry loop ends at its next attempt.
  const agents: Array<HttpAgent | HttpsAgent> = [];
  let aborted = false;
  const agentFactory = (protocol: string): HttpAgent | HttpsAgent => {
    const agent = protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    agents.push(agent);
    if (aborted) refuseConnections(agent);
    return agent;
  };
  // Every option the exporter would otherwise take from OTEL_* variables is passed explicitly.
  // It still reads OTEL_EXPORTER_OTLP_(METRICS_)HEADERS and merges them under ours; config
  // parses the same variables, so the result is the same.
  const options: OtlpOptions = {
    url: config.url,
    headers: { ...config.headers },
    timeoutMillis: config.requestTimeoutMs,
    temporalityPreference: TEMPORALITY[config.temporality],
    // Explicit, or OTEL_EXPORTER_OTLP_COMPRESSION would choose.
    compression: 'none' as OtlpOptions['compression'],
    concurrencyLimit: OTLP_CONCURRENCY_LIMIT,
    httpAgentOptions: agentFactory,
  };
  const inner = config.protocol === 'http/json' ? new OTLPJsonExporter(options) : new OTLPProtoExporter(options);
  const exporter = guardExporter(inner, { name: 'otlp', logger: context.logger, limited: context.limited });
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: config.intervalMs,
    // The reader throws when the timeout exceeds the interval; clamp instead.
    exportTimeoutMillis: Math.min(config.exportTimeoutMs, config.intervalMs),
    metricProducers: context.producers,
  });
  return {
    kind: 'otlp',
    reader,
    start: async () => context.logger.info({ url: redactUrl(config.url), protocol: config.protocol, intervalMs: config.intervalMs }, 'pushing metrics with OTLP'),
    close: async () => {},
    abort: () => {
      aborted = true;
      for (const agent of agents) {
        refuseConnections(agent);
        agent.destroy();
      }
    },
  };
}

function refuseConnections(agent: HttpAgent | HttpsAgent): void {
  // Node's Agent accepts a createConnection that reports failure through its callback.
  const refuse = (_options: unknown, callback: (err: Error) => void): undefined => {
    callback(new Error('metrics exporter is shut down'));
    return undefined;
  };
  (agent as unknown as { createConnection: typeof refuse }).createConnection = refuse;
}

function consoleReader(config: Extract<ExporterConfig, { kind: 'console' }>, context: ReaderContext): ReaderHandle {
  const exporter = guardExporter(new LogMetricExporter(context.logger.child({ exporter: 'console' })), { name: 'console', logger: context.logger, limited: context.limited });
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: config.intervalMs,
    exportTimeoutMillis: Math.min(config.exportTimeoutMs, config.intervalMs),
    metricProducers: context.producers,
  });
  return { kind: 'console', reader, start: async () => {}, close: async () => {}, abort: () => {} };
}

/** A URL fit for a log line: user info (`user:password@`) is replaced, the query dropped (it may carry keys). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username !== '' || parsed.password !== '') {
      parsed.username = 'REDACTED';
      parsed.password = '';
    }
    if (parsed.search !== '') parsed.search = '?REDACTED';
    return parsed.toString();
  } catch {
    return '<unparsable URL>';
  }
}
