export { createTelemetry } from './telemetry.js';
export type { Telemetry, TelemetryOptions } from './telemetry.js';
export { createInstruments, STATE_GAUGES } from './instruments.js';
export type { AddStateGauge, Instruments, IpamResult, ReconcileResult, StateGaugeKey, StateGaugeSource, StatePoint } from './instruments.js';
export { createStateGauges } from './state-gauges.js';
export type { StateGauges, StateGaugeOptions } from './state-gauges.js';
export { classifyExportError } from './export-guard.js';
export type { ExportFailureKind } from './export-guard.js';
