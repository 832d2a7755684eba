#!/usr/bin/env node
import { readFileSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import { credentialsOf, parseConfig } from './config/index.js';
import type { CompileSubnet, Config } from './config/index.js';
import { compileSubnetSpec } from './ipam/index.js';
import { createLifecycle, installSignalHandlers } from './lifecycle/index.js';
import type { Lifecycle } from './lifecycle/index.js';
import type { PrestartedHealthWorker } from './health/index.js';
import { createLogger } from './log/index.js';
import type { Logger } from './log/index.js';
import { loadKubeConfig } from './kube/kubeconfig.js';
import type { KubeConfigResult } from './kube/kubeconfig.js';
import { controllersPart, healthPart, ovnPart, telemetryPart } from './parts.js';
import { checkTlsFiles } from './serving/index.js';

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

/** The default subnet flags go through the same compile step as Subnet specs (issue 10): a /32 or a gateway outside the CIDR is exit 2. */
const compileSubnet: CompileSubnet = (spec) => {
  const r = compileSubnetSpec(spec);
  return r.ok ? { ok: true, cidrBlock: r.subnet.cidrBlock } : r;
};

function loadConfig(): { config: Config; warnings: readonly string[] } {
  const result = parseConfig({ argv: process.argv.slice(2), env: process.env, version: readVersion(), hostname: hostname(), compileSubnet });
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

/**
 * The parts in start order; they stop in reverse. Health first, so kubelet probes are answered
 * before anything slow (exporters, the API server) starts, and last, so they are answered until
 * the end; its stop is announced before any part stops, so readiness fails at once. Telemetry
 * before the controllers, whose client and reconcilers record into it, and after them, so the
 * final flush carries their last reconciles. OVN northbound before the controllers, which write
 * through it, and after them, so their last requests finish. The controllers stop first: reconciles drain and the
 * Lease is released, so a standby takes over at once.
 */
function assemble(config: Config, kube: Extract<KubeConfigResult, { ok: true }>, logger: Logger, exit: (code: number) => void, seams: StartSeams): Lifecycle {
  // Without its health thread the pod can only be restarted by failed probes, slowly: exit now.
  const onThreadExit = (code: number): void => {
    logger.fatal({ code }, 'health worker thread exited: probes would go unanswered');
    exit(EXIT_FAILURE);
  };
  const health = healthPart(config, logger, onThreadExit, seams.prestartedHealth);
  const telemetry = telemetryPart(config, logger, kube.kubeconfig);
  // Losing the Lease mid-term means another replica may already reconcile: stop everything
  // and exit non-zero so the pod restarts clean, as client-go controllers do.
  const onLostLeadership = (): void => {
    logger.error('leader election lost: exiting so the pod restarts clean');
    exit(EXIT_FAILURE);
  };
  const ovn = ovnPart(config, logger, health, telemetry);
  const controllers = controllersPart({ config, kubeconfig: kube.kubeconfig, logger, health, telemetry, ovn, onLostLeadership });
  // Held from the first probe on: a probe between health's start and these parts' starts must not see Ready.
  for (const part of [ovn, controllers]) for (const name of part.readinessChecks) health.readyz.reserve(name, `${part.name} not started`);
  return createLifecycle([health, telemetry, ovn, controllers], { timeoutMs: config.shutdownTimeoutMs, logger });
}

/** What the process entry hands in: the launcher (src/launch.ts) starts the health thread first. */
export interface StartSeams {
  readonly prestartedHealth?: PrestartedHealthWorker;
}

async function main(seams: StartSeams): Promise<void> {
  const { config, warnings } = loadConfig();
  const logger = createLogger({ level: config.logLevel, base: config.pod.name ? { pod: config.pod.name } : {}, secrets: credentialsOf(config.metrics.exporters) });
  guardProcess(logger);
  for (const warning of warnings) logger.warn(warning);
  // A missing or unreadable kubeconfig is bad configuration (exit 2 before listening);
  // an API server that does not answer is not: the process stays live and not Ready.
  const kube = loadKubeConfig(config.kubeconfig);
  if (!kube.ok) {
    process.stderr.write(`kube-ovn-controller: ${kube.message}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }
  const tlsProblem = checkTlsFiles(config.metrics.exporters.find((e) => e.kind === 'prometheus')?.secure);
  if (tlsProblem !== undefined) {
    process.stderr.write(`kube-ovn-controller: ${tlsProblem}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }

  let exiting = false;
  // One way out once anything may have started: stop what started (in reverse, bounded), then exit.
  const exit = (code: number): void => {
    if (exiting) return;
    exiting = true;
    void lifecycle.stop().then((clean) => {
      logger.info({ clean }, 'stopped');
      process.exit(clean ? code : EXIT_FAILURE);
    });
  };
  const lifecycle = assemble(config, kube, logger, exit, seams);
  installSignalHandlers({
    onFirst: (signal) => {
      logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
      exit(0);
    },
    onSecond: (signal) => {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(EXIT_FAILURE);
    },
  });
  try {
    await lifecycle.start();
  } catch (err) {
    // Never a Ready zombie: a part that failed to start ends the process, after the others stop.
    logger.fatal({ err }, 'start-up failed');
    exit(EXIT_FAILURE);
    return;
  }
  if (!exiting) logger.info({ version: config.version, exporters: config.metrics.exporters.map((e) => e.kind), kubeconfig: kube.source, parts: lifecycle.started() }, 'kube-ovn-controller started');
}

/** Runs the controller until it stops; whatever escapes main (a bug in the wiring itself) is one fatal line and exit 1. */
export function run(seams: StartSeams = {}): void {
  main(seams).catch((err: unknown) => {
    process.stderr.write(`kube-ovn-controller: fatal: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(EXIT_FAILURE);
  });
}

/** True when this module is the process's entry (`node dist/controller.js`, `tsx src/main.ts`), not imported by the launcher. */
function isEntry(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntry()) run();
