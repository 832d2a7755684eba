import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Logger } from '../log/index.js';

/**
 * The `console` exporter of the OTel spec, written as JSON log lines (`msg: "metric"`, one per
 * metric) through our logger. The SDK's ConsoleMetricExporter prints `console.dir` output on
 * stdout, which would break the JSON-lines stream that `kubectl logs` readers and log pipelines
 * parse.
 */
export class LogMetricExporter implements PushMetricExporter {
  private stopped = false;

  constructor(private readonly logger: Logger) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('exporter is shut down') });
      return;
    }
    for (const scope of metrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        this.logger.info(
          {
            metric: {
              name: metric.descriptor.name,
              unit: metric.descriptor.unit,
              type: metric.dataPointType,
              points: metric.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value })),
            },
          },
          'metric',
        );
      }
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.stopped = true;
  }
}
