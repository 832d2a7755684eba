/**
 * The health thread, started before the controller's bundle loads (src/launch.ts). Booting a
 * worker isolate and loading its bundle takes ~155 ms here, loading the controller's bundle
 * ~140 ms: started first, the two overlap on a second core instead of running one after the
 * other before the health port listens. The thread waits for its settings (a `start` message),
 * posted once the main thread has parsed its configuration, so nothing is served from defaults.
 * Imports only Node built-ins: the launcher bundles it.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';

/**
 * A backstop on the worker's own heap, far above its ~10-15 MiB in use: a leak there ends the
 * thread (and with it the process, see main.ts) instead of growing into the pod's memory limit.
 * Tighter caps were measured and rejected: at kubelet-like probe rates the worker commits
 * ~20 MiB with or without a cap, and an old-generation cap of 32 MiB made probe p99 worse
 * (63-83 vs 35-54 ms, one sequential prober, 3 interleaved rounds at load 8); 16-24 MiB thrash
 * the GC (2-5x CPU per probe). No young-generation limit: the process-wide
 * --max-semi-space-size (src/launch.ts) overrides it anyway.
 */
const HEALTH_WORKER_RESOURCE_LIMITS = Object.freeze({ maxOldGenerationSizeMb: 128 });

/** The thread's name: per-thread CPU figures (bench/) and debuggers show it. */
const HEALTH_WORKER_NAME = 'health';

/** What every health thread is created with, started ahead or not. */
export function healthWorkerOptions(workerData: unknown): WorkerOptions {
  return { workerData, name: HEALTH_WORKER_NAME, resourceLimits: { ...HEALTH_WORKER_RESOURCE_LIMITS } };
}

/** `workerData` of a thread started ahead of its settings. */
export interface DeferredHealthStart {
  readonly deferred: true;
}

/** A health thread started ahead, until `startHealthWorker` adopts it. */
export interface PrestartedHealthWorker {
  readonly worker: Worker;
  /**
   * Hands the thread over: it holds the process open from now on, and the caller listens for its
   * errors. Returns why it already ended, if it did (its load failed, or it exited).
   */
  adopt(): Error | undefined;
}

export function prestartHealthWorker(entry: URL): PrestartedHealthWorker {
  const deferred: DeferredHealthStart = { deferred: true };
  const worker = new Worker(entry, healthWorkerOptions(deferred));
  // Never adopted (--help, a bad flag), it must not keep the process alive.
  worker.unref();
  // Listening at once: an 'error' with no listener would throw in this thread, and an early end
  // must still be known when the thread is adopted.
  let ended: Error | undefined;
  const onError = (err: Error): void => void (ended ??= new Error(`health worker failed to start: ${err.message}`, { cause: err }));
  const onExit = (code: number): void => void (ended ??= new Error(`health worker exited with code ${code} before listening`));
  worker.on('error', onError);
  worker.on('exit', onExit);
  return {
    worker,
    adopt() {
      worker.off('error', onError);
      worker.off('exit', onExit);
      worker.ref();
      return ended;
    },
  };
}
