import { Worker } from 'node:worker_threads';
import type { Logger, LogLevel } from '../log/index.js';
import type { HealthAppOptions } from './app.js';
import type { CheckSet } from './checks.js';
import { healthWorkerOptions } from './prestart.js';
import type { PrestartedHealthWorker } from './prestart.js';
import { collectSnapshot } from './snapshot.js';
import type { FromWorker, HealthWorkerData, ToWorker } from './worker-protocol.js';

/**
 * The app's options (the same wire behaviour is served from the worker) plus where to listen
 * and how results travel. `livez`/`readyz` hold the real checks, run on this (the main) thread;
 * checks added later are published too. `logger` receives the worker's log lines (failed checks
 * with their reasons, rate-limited as in-process); `checkTimeoutMs` bounds each check per collection.
 */
export interface HealthWorkerOptions
  extends Pick<HealthAppOptions, 'livez' | 'readyz' | 'metricsHint' | 'extraLivenessPaths' | 'extraReadinessPaths' | 'logger' | 'checkTimeoutMs'> {
  /** Address to bind, e.g. `0.0.0.0` or `127.0.0.1`. */
  readonly host: string;
  /** 0 picks a free port (tests); `HealthWorker.port` tells which. */
  readonly port: number;
  /** No snapshot from this thread for longer than this, ms, fails liveness and readiness (the wedged-loop case). */
  readonly staleAfterMs: number;
  /** How often all checks run and their results are posted, ms. Default 100. */
  readonly publishIntervalMs?: number;
  /**
   * The worker thread's entry. Default: `worker.js` next to this module (in the bundle,
   * dist/worker.js), or `worker.ts` through tsx when this module runs from `src/`. Tests pass the
   * built dist/worker.js to serve from what ships.
   */
  readonly workerEntry?: URL;
  /** A thread the launcher started ahead (prestart.ts): it gets these settings instead of a new thread being started. */
  readonly prestarted?: PrestartedHealthWorker;
}

export interface HealthWorker {
  /** The port actually bound. */
  readonly port: number;
  /** Resolves with the thread's exit code once it has stopped: after `close`, or when it crashed. */
  readonly exited: Promise<number>;
  /** Runs all checks now and posts the results; resolves once posted. Never rejects. */
  publishNow(): Promise<void>;
  /**
   * Stops publishing, closes the server in the worker as `HealthServer.close` does (force-closing
   * connections after `timeoutMs`), then terminates the worker. Idempotent: later calls share the first.
   */
  close(timeoutMs: number): Promise<void>;
}

// How long past its own timeout a close waits for the worker's word before terminating it anyway.
const CLOSE_MARGIN_MS = 250;

/**
 * Serves the health app from a worker thread with its own event loop and heap, so nothing the
 * main thread does (a burst of reconciles, a GC pause) delays a probe. The checks still run
 * here every `publishIntervalMs`; the worker answers from the latest results. Resolves once
 * listening; rejects like `startHealthServer` when the port is taken (EADDRINUSE) or privileged.
 */
export async function startHealthWorker(options: HealthWorkerOptions): Promise<HealthWorker> {
  const intervalMs = options.publishIntervalMs ?? 100;
  const timeoutMs = options.checkTimeoutMs ?? 500;
  if (!(intervalMs > 0)) throw new Error(`health worker: publishIntervalMs must be > 0, got ${intervalMs}`);
  if (!(options.staleAfterMs > 0)) throw new Error(`health worker: staleAfterMs must be > 0, got ${options.staleAfterMs}`);
  const data: HealthWorkerData = {
    host: options.host,
    port: options.port,
    metricsHint: options.metricsHint,
    extraLivenessPaths: options.extraLivenessPaths ?? [],
    extraReadinessPaths: options.extraReadinessPaths ?? [],
    logLevel: options.logger.level as LogLevel,
    staleAfterMs: options.staleAfterMs,
    initial: { livez: names(options.livez), readyz: names(options.readyz) },
  };
  const worker = options.prestarted === undefined ? createWorker(data, options.workerEntry) : adopt(options.prestarted, data);
  const events = new EventTarget();
  worker.on('message', (message: FromWorker) => {
    if (message.type === 'log') relog(options.logger, message.line);
    else events.dispatchEvent(new CustomEvent(message.type, { detail: message }));
  });
  const port = await listening(worker, events);
  let closing: Promise<void> | undefined;
  worker.on('error', (err) => options.logger.error({ err }, 'health worker failed'));
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  worker.on('exit', (code) => {
    if (!closing) options.logger.error({ code }, 'health worker exited: probes on the health port go unanswered');
  });
  const publisher = startPublisher(worker, { livez: options.livez, readyz: options.readyz }, intervalMs, timeoutMs);
  return {
    port,
    exited,
    publishNow: publisher.publishNow,
    close: (ms) => (closing ??= closeWorker(worker, events, publisher.stop, ms)),
  };
}

function adopt(prestarted: PrestartedHealthWorker, data: HealthWorkerData): Worker {
  const ended = prestarted.adopt();
  if (ended !== undefined) throw ended;
  const message: ToWorker = { type: 'start', data };
  prestarted.worker.postMessage(message);
  return prestarted.worker;
}

function names(set: CheckSet): string[] {
  return set.checks().map((c) => c.name);
}

// From `dist/` the entry is `worker.js`. Under tsx (tests run `src/`) the entry is `worker.ts`,
// and tsx's hooks do not carry over into a worker through `--import tsx` in `execArgv`, so a
// small bootstrap registers them in the worker before importing the entry.
function createWorker(data: HealthWorkerData, override: URL | undefined): Worker {
  const options = healthWorkerOptions(data);
  if (override !== undefined) return new Worker(override, { ...options, execArgv: [] });
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), options);
  const entry = new URL('./worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { ...options, eval: true, execArgv: [] });
}

function listening(worker: Worker, events: EventTarget): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => {
      cleanup();
      void worker.terminate();
      reject(err);
    };
    const onListening = (e: Event): void => {
      cleanup();
      resolve((e as CustomEvent<Extract<FromWorker, { type: 'listening' }>>).detail.port);
    };
    const onListenError = (e: Event): void => {
      const m = (e as CustomEvent<Extract<FromWorker, { type: 'listen-error' }>>).detail;
      fail(new Error(m.message, { cause: Object.assign(new Error(m.causeMessage), { code: m.code }) }));
    };
    const onError = (err: Error): void => fail(new Error(`health worker failed to start: ${err.message}`, { cause: err }));
    const onExit = (code: number): void => fail(new Error(`health worker exited with code ${code} before listening`));
    const cleanup = (): void => {
      events.removeEventListener('listening', onListening);
      events.removeEventListener('listen-error', onListenError);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    events.addEventListener('listening', onListening);
    events.addEventListener('listen-error', onListenError);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

interface Publisher {
  publishNow(): Promise<void>;
  stop(): void;
}

function startPublisher(worker: Worker, sets: { livez: CheckSet; readyz: CheckSet }, intervalMs: number, timeoutMs: number): Publisher {
  let seq = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const publishNow = async (): Promise<void> => {
    const snapshot = await collectSnapshot(sets, seq++, timeoutMs);
    if (stopped) return;
    const message: ToWorker = { type: 'snapshot', snapshot };
    worker.postMessage(message);
  };
  // The next collection is scheduled after the previous one posted, so a slow check never
  // piles collections up; the timer is unref'd so publishing never holds the process open.
  const loop = (): void => {
    void publishNow().finally(() => {
      if (stopped) return;
      timer = setTimeout(loop, intervalMs);
      timer.unref();
    });
  };
  loop();
  return {
    publishNow,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

function closeWorker(worker: Worker, events: EventTarget, stopPublishing: () => void, timeoutMs: number): Promise<void> {
  stopPublishing();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(bound);
      events.removeEventListener('closed', done);
      resolve();
    };
    const bound = setTimeout(done, timeoutMs + CLOSE_MARGIN_MS);
    events.addEventListener('closed', done);
    const message: ToWorker = { type: 'close', timeoutMs };
    worker.postMessage(message);
  }).then(async () => {
    await worker.terminate();
  });
}

// The worker's pino writes JSON lines; re-emitting them through the main logger keeps one
// stream, one format and the main thread's base fields (the pod name).
function relog(logger: Logger, line: string): void {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  const { level, time: _time, msg, ...fields } = parsed;
  const method = typeof level === 'string' && level in logger.levels.values ? (level as Exclude<LogLevel, 'silent'>) : 'info';
  logger[method](fields, typeof msg === 'string' ? msg : '');
}
