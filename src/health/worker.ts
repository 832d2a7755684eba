// Entry of the health worker thread: serves the health app from snapshots posted by the main
// thread, on its own event loop and heap, so reconcilers and their GC pauses cannot delay probes.
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { createLogger } from '../log/index.js';
import { createHealthApp } from './app.js';
import { startHealthServer } from './server.js';
import type { HealthServer } from './server.js';
import { createSnapshotView } from './snapshot.js';
import type { DeferredHealthStart } from './prestart.js';
import type { FromWorker, HealthWorkerData, ToWorker } from './worker-protocol.js';

async function serve(port: MessagePort, data: HealthWorkerData): Promise<void> {
  const post = (message: FromWorker): void => port.postMessage(message);
  const logger = createLogger({ level: data.logLevel, destination: { write: (line: string) => post({ type: 'log', line }) } });
  const view = createSnapshotView({ initial: data.initial, staleAfterMs: data.staleAfterMs, now: () => performance.now() });
  const app = createHealthApp({
    livez: view.livez,
    readyz: view.readyz,
    metricsHint: data.metricsHint,
    extraLivenessPaths: data.extraLivenessPaths,
    extraReadinessPaths: data.extraReadinessPaths,
    logger,
  });
  let server: HealthServer;
  try {
    // This thread runs the health app and nothing else: its globals are its own to replace.
    server = await startHealthServer({ app, host: data.host, port: data.port, logger, ownsGlobals: true });
  } catch (err) {
    const cause = (err as Error).cause as NodeJS.ErrnoException | undefined;
    post({ type: 'listen-error', message: (err as Error).message, code: cause?.code, causeMessage: cause?.message ?? '' });
    return;
  }
  port.on('message', (message: ToWorker) => {
    if (message.type === 'snapshot') view.apply(message.snapshot);
    else if (message.type === 'close') void server.close(message.timeoutMs).then(() => post({ type: 'closed' }));
  });
  post({ type: 'listening', port: server.port });
}

if (parentPort === null) throw new Error('health worker: must run as a worker thread');
// A throw before listening (e.g. conflicting health paths) is left to reject: it ends the thread
// with an 'error' event, which `startHealthWorker` turns into its rejection.
const data = workerData as HealthWorkerData | DeferredHealthStart;
if ('deferred' in data) {
  // Started ahead by the launcher: the settings come once the main thread has parsed them, and
  // nothing else is posted before this thread says it listens.
  const port = parentPort;
  port.once('message', (message: ToWorker) => {
    if (message.type === 'start') void serve(port, message.data);
  });
} else {
  void serve(parentPort, data);
}
