import type { Meter } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider } from '@opentelemetry/sdk-metrics';
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import type { MetricsConfig, PodIdentity } from '../config/types.js';
import { createRateLimitedLogger } from '../log/index.js';
import type { Logger } from '../log/index.js';
import { createAccumulators } from './accumulators.js';
import { routeOtelDiagnostics } from './diagnostics.js';
import { createInstruments } from './instruments.js';
import { METRIC_CARDINALITY_LIMIT } from './labels.js';
import type { AddStateGauge, Instruments } from './instruments.js';
import { createReader } from './readers.js';
import type { ReaderHandle, StartDeps } from './readers.js';
import { buildResource } from './resource.js';
import { startRuntimeMetrics } from './runtime.js';
import type { RuntimeMetrics } from './runtime.js';
import { createStateGauges } from './state-gauges.js';

/** Name of the meter the controller's instruments are created on. */
const METER_NAME = 'kube-ovn-controller';

export interface TelemetryOptions {
  readonly metrics: MetricsConfig;
  readonly pod: PodIdentity;
  /** `service.version`. */
  readonly version: string;
  readonly logger: Logger;
  /** Clock seam, ms since epoch; default `Date.now`. */
  readonly now?: () => number;
  /** Minimum time between two log lines of one kind of metrics failure, ms. Default 30000. */
  readonly logIntervalMs?: number;
}

export interface Telemetry {
  readonly meter: Meter;
  readonly instruments: Instruments;
  readonly addStateGauge: AddStateGauge;
  /**
   * Starts serving (Prometheus) and runtime metrics; idempotent; never rejects: a busy metrics port
   * is logged. With `--secure-serving`, `deps.reviewer` checks the scrapers' tokens.
   */
  start(deps?: StartDeps): Promise<void>;
  /**
   * One final flush of the push readers, then shutdown of every reader (closes the Prometheus
   * server). Never rejects; returns within `timeoutMs` even if a collector hangs, dropping
   * whatever is still in flight. Idempotent: later calls return the first call's promise.
   */
  shutdown(timeoutMs: number): Promise<void>;
}

/**
 * Builds the one MeterProvider of the process (never OTel's global one) with a reader per
 * configured exporter. With no exporter there is no reader: instruments are no-ops and no port
 * is opened. Routes OTel's global `diag` and error handler into `logger`, rate-limited.
 */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  const { metrics, logger } = options;
  const now = options.now ?? Date.now;
  const limited = createRateLimitedLogger(logger, { intervalMs: options.logIntervalMs ?? 30_000, now });
  routeOtelDiagnostics(limited);

  const resource = buildResource({ serviceName: metrics.serviceName, version: options.version, pod: options.pod, resourceAttributes: metrics.resourceAttributes });
  const stateGauges = createStateGauges({
    resource,
    now,
    onSourceError: (key, err) => limited.log('error', `state-gauge.${key}`, { gauge: key, err }, 'state gauge source failed'),
  });
  // The controller's counters and histograms aggregate in place and reach every reader through
  // its own producer, in the temporality that reader asks for (see accumulators.ts for why).
  const accumulators = createAccumulators({ scope: { name: METER_NAME, version: options.version }, now });
  const handles: ReaderHandle[] = metrics.exporters.map((config) => {
    let handle: ReaderHandle | undefined;
    const producer = accumulators.producer((type) => handle?.reader.selectAggregationTemporality(type) ?? AggregationTemporality.CUMULATIVE);
    handle = createReader(config, { producers: [stateGauges.producer, producer], logger, limited });
    return handle;
  });
  const provider = new MeterProvider({ resource, readers: handles.map((h) => h.reader), views: cardinalityViews() });
  const meter = provider.getMeter(METER_NAME, options.version);
  // With no reader the SDK's instruments are already no-ops; accumulating would only cost.
  const instruments = createInstruments(handles.length > 0 ? accumulators.wrap(meter) : meter);

  let runtime: RuntimeMetrics | undefined;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  return {
    meter,
    instruments,
    addStateGauge: stateGauges.add,
    start(deps = {}) {
      starting ??= (async () => {
        if (handles.length > 0) runtime = startRuntimeMetrics(meter);
        await Promise.all(handles.map((h) => h.start(deps)));
      })();
      return starting;
    },
    shutdown(timeoutMs) {
      stopping ??= stopTelemetry({ provider, handles, runtime, logger }, timeoutMs);
      return stopping;
    },
  };
}

/**
 * A backstop under the closed label sets (DESIGN §7a): no instrument keeps more than
 * `METRIC_CARDINALITY_LIMIT` attribute sets; further ones fold into one series labelled
 * `otel.metric.overflow="true"`. Labels are closed at the call sites already (see
 * `labels.ts`); this bounds the damage of one that is not, since every series costs memory
 * and collection time on the main thread, which the health thread's staleness bound watches.
 */
export function cardinalityViews(): ViewOptions[] {
  return [{ instrumentName: '*', aggregationCardinalityLimit: METRIC_CARDINALITY_LIMIT }];
}

interface StopParts {
  readonly provider: MeterProvider;
  readonly handles: readonly ReaderHandle[];
  readonly runtime: RuntimeMetrics | undefined;
  readonly logger: Logger;
}

/** Shuts the provider down within `timeoutMs`; never rejects. */
async function stopTelemetry({ provider, handles, runtime, logger }: StopParts, timeoutMs: number): Promise<void> {
  if (handles.length === 0) return;
  // MeterProvider.shutdown shuts every reader down in parallel; a periodic reader's shutdown
  // is its one final flush, so the Prometheus server closes even while a collector hangs.
  const done = Promise.all([provider.shutdown(), ...handles.map((h) => h.close(timeoutMs))]).then(
    () => 'done' as const,
    (err: unknown) => {
      logger.warn({ err }, 'metrics shutdown failed');
      return 'done' as const;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  const outcome = await Promise.race([done, expired]);
  clearTimeout(timer);
  // Stopped only now so the final flush still carries the runtime metrics.
  runtime?.stop();
  if (outcome === 'timeout') logger.warn({ timeoutMs }, 'metrics shutdown timed out; unsent metrics are dropped');
  // Also after a clean shutdown: idle keep-alive sockets to the collector are closed, not left to time out.
  for (const h of handles) h.abort();
}
