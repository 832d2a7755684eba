#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseConfig } from './config/index.js';
import type { Config } from './config/index.js';
import { createCheckSet, createEventLoopCheck, createShutdownCheck, pingCheck, startHealthWorker } from './health/index.js';
import type { HealthWorker } from './health/index.js';
import { createShutdown, installSignalHandlers } from './lifecycle/index.js';
import type { ShutdownStep } from './lifecycle/index.js';
import { createLogger } from './log/index.js';
import type { Logger } from './log/index.js';
import { createControllerManager } from './controllers/index.js';
import { createKubeClient } from './kube/index.js';
import { loadKubeConfig } from './kube/kubeconfig.js';
import { createTelemetry } from './telemetry/index.js';

/** Exit codes: 0 clean stop, 1 runtime failure, 2 bad configuration (before anything listens). */
const EXIT_FAILURE = 1;
const EXIT_BAD_CONFIG = 2;

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function loadConfig(): { config: Config; warnings: readonly string[] } {
  const result = parseConfig({ argv: process.argv.slice(2), env: process.env, version: readVersion(), hostname: hostname() });
  switch (result.kind) {
    case 'ok':
      return { config: result.config, warnings: result.warnings };
    case 'help':
    case 'version':
      process.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
      process.exit(0);
    // falls through: process.exit never returns
    case 'error':
      process.stderr.write(`kube-ovn-controller: ${result.message}\n`);
      process.exit(EXIT_BAD_CONFIG);
  }
}

/** Background failures are logged, never allowed to take the health port down with the process. */
function guardProcess(logger: Logger): void {
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    process.exit(EXIT_FAILURE);
  });
}

async function main(): Promise<void> {
  const { config, warnings } = loadConfig();
  const logger = createLogger({ level: config.logLevel, base: config.pod.name ? { pod: config.pod.name } : {} });
  guardProcess(logger);
  for (const warning of warnings) logger.warn(warning);
  // A missing or unreadable kubeconfig is bad configuration (exit 2 before listening);
  // an API server that does not answer is not: the process stays live and not Ready.
  const kube = loadKubeConfig(config.kubeconfig);
  if (!kube.ok) {
    process.stderr.write(`kube-ovn-controller: ${kube.message}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }

  // Shutdown steps in stop order; each component puts its step in front as it starts, so a
  // signal during start-up stops exactly what has started (health, started first, stops last).
  const steps: ShutdownStep[] = [];
  const shutdown = createShutdown(steps, { timeoutMs: config.shutdownTimeoutMs, logger });
  let stopping = false;
  const stopAndExit = (code: number): void => {
    stopping = true;
    void shutdown().then((clean) => {
      logger.info({ clean }, 'stopped');
      process.exit(clean ? code : EXIT_FAILURE);
    });
  };
  installSignalHandlers({
    onFirst: (signal) => {
      logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
      stopAndExit(0);
    },
    onSecond: (signal) => {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(EXIT_FAILURE);
    },
  });

  // Health first: kubelet probes must be answered before anything slow (API server, exporters) starts.
  const livez = createCheckSet('livez');
  const readyz = createCheckSet('readyz');
  const eventLoop = createEventLoopCheck({ thresholdMs: config.health.eventLoopBlockThresholdMs });
  const shutdownCheck = createShutdownCheck();
  livez.add(pingCheck());
  livez.add(eventLoop.check);
  readyz.add(pingCheck());
  readyz.add(shutdownCheck.check);
  eventLoop.start();
  // Probes are answered by a worker thread from the checks' latest results, so reconcile bursts
  // and GC pauses here cannot delay them; a main loop silent past the block bound fails liveness.
  let health: HealthWorker;
  try {
    health = await startHealthWorker({
      host: config.health.host,
      port: config.health.port,
      livez,
      readyz,
      metricsHint: config.metrics.hint,
      extraLivenessPaths: config.health.extraLivenessPaths,
      extraReadinessPaths: config.health.extraReadinessPaths,
      logger,
      staleAfterMs: config.health.eventLoopBlockThresholdMs,
    });
  } catch (err) {
    logger.fatal({ err, port: config.health.port }, 'health server could not listen');
    process.exit(EXIT_FAILURE);
  }
  logger.info({ host: config.health.host, port: health.port }, 'health server listening');
  steps.unshift(
    {
      name: 'readiness',
      run: async () => {
        shutdownCheck.begin();
        await health.publishNow();
      },
    },
    { name: 'event-loop-check', run: async () => eventLoop.stop() },
    { name: 'health-server', run: (ms) => health.close(ms) },
  );
  // Without its health thread the pod can only be restarted by failed probes, slowly: exit now.
  void health.exited.then((code) => {
    if (stopping) return;
    logger.fatal({ code }, 'health worker thread exited: probes would go unanswered');
    process.exit(EXIT_FAILURE);
  });
  if (stopping) return;

  const telemetry = createTelemetry({ metrics: config.metrics, pod: config.pod, version: config.version, logger });
  // telemetry bounds itself to what it is given; the margin keeps it inside this step's bound,
  // and its share leaves time for the health server, which must stop last.
  steps.splice(1, 0, { name: 'telemetry', maxShare: 0.8, run: (ms) => telemetry.shutdown(Math.max(0, ms - 250)) });
  await telemetry.start();
  if (stopping) return;

  const client = createKubeClient({ kubeconfig: kube.kubeconfig, logger, instruments: telemetry.instruments });
  const manager = createControllerManager({ config, client, logger, instruments: telemetry.instruments, addStateGauge: telemetry.addStateGauge });
  for (const check of manager.livenessChecks) livez.add(check);
  for (const check of manager.readinessChecks) readyz.add(check);
  const stop = new AbortController();
  const managed = manager.run(stop.signal);
  // Drain reconciles and release the Lease so a standby takes over at once.
  steps.splice(1, 0, {
    name: 'controllers',
    maxShare: 0.5,
    run: async () => {
      stop.abort();
      await managed;
    },
  });
  logger.info({ version: config.version, exporters: config.metrics.exporters.map((e) => e.kind), kubeconfig: kube.source }, 'kube-ovn-controller started');

  // Losing the Lease mid-term means another replica may already reconcile: stop everything
  // and exit non-zero so the pod restarts clean, as client-go controllers do.
  void managed.then((outcome) => {
    if (outcome !== 'lost-leadership' || stopping) return;
    logger.error('leader election lost: exiting so the pod restarts clean');
    stopAndExit(EXIT_FAILURE);
  });
}

void main();
