import type { LogLevel } from '../log/index.js';
import type { HealthSnapshot } from './snapshot.js';

/** What the health worker is started with (`workerData`): plain, cloneable data only. */
export interface HealthWorkerData {
  readonly host: string;
  readonly port: number;
  readonly metricsHint: string;
  readonly extraLivenessPaths: readonly string[];
  readonly extraReadinessPaths: readonly string[];
  readonly logLevel: LogLevel;
  readonly staleAfterMs: number;
  readonly initial: { readonly livez: readonly string[]; readonly readyz: readonly string[] };
}

export type ToWorker =
  // The settings of a thread started ahead of them (prestart.ts); the first message it gets.
  | { readonly type: 'start'; readonly data: HealthWorkerData }
  | { readonly type: 'snapshot'; readonly snapshot: HealthSnapshot }
  | { readonly type: 'close'; readonly timeoutMs: number };

export type FromWorker =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'listen-error'; readonly message: string; readonly code: string | undefined; readonly causeMessage: string }
  // One JSON log line of the worker's pino logger, re-emitted by the main thread's logger.
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'closed' };
