import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { InstrumentType, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Logger, RateLimitedLogger } from '../log/index.js';

/** What went wrong with one export, a closed set used as the rate-limit key and log field. */
export type ExportFailureKind = 'refused' | 'timeout' | 'reset' | 'http_status' | 'retries_exhausted' | 'concurrency_limit' | 'other';

/** Maps an exporter's error to a failure kind and, for HTTP answers, the status code. */
export function classifyExportError(error: unknown): { kind: ExportFailureKind; status?: number } {
  if (!(error instanceof Error)) return { kind: 'other' };
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') return { kind: 'refused' };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { kind: 'reset' };
  if (code === 'ETIMEDOUT' || /timed out/i.test(error.message)) return { kind: 'timeout' };
  // OTLPExporterError carries the HTTP status as a numeric `code`.
  if (typeof code === 'number') return { kind: 'http_status', status: code };
  if (/retryable status/i.test(error.message)) return { kind: 'retries_exhausted' };
  if (/concurrent export limit/i.test(error.message)) return { kind: 'concurrency_limit' };
  return { kind: 'other' };
}

export interface ExportGuardOptions {
  /** Names the exporter in log lines, e.g. `otlp`. */
  readonly name: string;
  readonly logger: Logger;
  readonly limited: RateLimitedLogger;
}

/**
 * Wraps a push exporter so each failed export is logged once per interval per kind of failure
 * with its real cause (the reader itself only passes a flattened message to the global error
 * handler), and a recovery is logged once. It never throws into the reader: an exporter that
 * throws synchronously is reported as a failed export.
 */
export function guardExporter(inner: PushMetricExporter, options: ExportGuardOptions): PushMetricExporter {
  let failing = false;
  const onResult = (result: ExportResult): void => {
    if (result.code === ExportResultCode.SUCCESS) {
      if (failing) options.logger.info({ exporter: options.name }, 'metrics export recovered');
      failing = false;
      return;
    }
    failing = true;
    const { kind, status } = classifyExportError(result.error);
    const fields = { exporter: options.name, kind, ...(status === undefined ? {} : { status }), err: result.error };
    options.limited.log('error', `export.${options.name}.${kind}.${status ?? ''}`, fields, 'metrics export failed');
  };
  const guarded: PushMetricExporter = {
    export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
      let settled = false;
      const done = (result: ExportResult): void => {
        if (settled) return;
        settled = true;
        onResult(result);
        resultCallback(result);
      };
      try {
        inner.export(metrics, done);
      } catch (error) {
        done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    },
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
  };
  if (inner.selectAggregationTemporality) {
    const select = inner.selectAggregationTemporality.bind(inner);
    guarded.selectAggregationTemporality = (type: InstrumentType) => select(type);
  }
  if (inner.selectAggregation) {
    const select = inner.selectAggregation.bind(inner);
    guarded.selectAggregation = (type: InstrumentType) => select(type);
  }
  return guarded;
}
