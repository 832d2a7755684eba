// Runs the BUILT controller the way a rendered overlay's Deployment would: its args, its env
// (Downward API filled in), its probes; only the ports are remapped to free ones on 127.0.0.1
// and the API server is the local one.
import { existsSync } from 'node:fs';
import { MAIN, spawnController } from '../support/controller-process.js';
import type { ControllerProcess } from '../support/controller-process.js';
import { startKube } from '../support/kube-env.js';
import type { KubeEnv } from '../support/kube-env.js';
import { freePort } from '../support/ports.js';
import { resolveEnv } from './controller-config.js';
import { at, controllerContainer, only, render } from './render.js';
import type { Container, KubeObject, Overlay } from './render.js';

export type ProbeKind = 'startupProbe' | 'readinessProbe' | 'livenessProbe';
export const PROBE_KINDS: readonly ProbeKind[] = ['startupProbe', 'readinessProbe', 'livenessProbe'];

/** One rendered httpGet probe, with Kubernetes' defaults applied and the port remapped. */
export interface ProbeSpec {
  readonly kind: ProbeKind;
  readonly path: string;
  readonly scheme: string;
  /** The container port the probe names (as rendered). */
  readonly containerPort: number;
  /** The free port on 127.0.0.1 standing in for it. */
  readonly port: number;
  readonly timeoutSeconds: number;
  readonly periodSeconds: number;
  readonly failureThreshold: number;
}

export interface DeployedRun {
  readonly objects: KubeObject[];
  readonly container: Container;
  readonly kube: KubeEnv;
  readonly ctl: ControllerProcess;
  /** The env the controller was started with (resolved and remapped). */
  readonly env: Record<string, string>;
  readonly args: string[];
  readonly probes: ProbeSpec[];
  /** Free port standing in for each named container port. */
  readonly portByName: ReadonlyMap<string, number>;
  /** SIGTERM, then SIGKILL if it does not exit; closes the API server. Idempotent. */
  stop(): Promise<void>;
}

/** Settings whose value is a container port; a rendered value equal to one is remapped. */
const PORT_FLAGS = ['--health-port', '--metrics-port'] as const;
const PORT_ENV = ['HEALTH_PORT', 'OTEL_EXPORTER_PROMETHEUS_PORT'] as const;

/** Maps every declared container port to a fresh free port. */
async function remapPorts(container: Container): Promise<{ byNumber: Map<number, number>; byName: Map<string, number> }> {
  const byNumber = new Map<number, number>();
  const byName = new Map<string, number>();
  for (const p of container.ports ?? []) {
    const port = await freePort();
    byNumber.set(p.containerPort, port);
    if (p.name !== undefined) byName.set(p.name, port);
  }
  return { byNumber, byName };
}

/** Rewrites `--health-port=N` / `--health-port N` (and the metrics port) through the port map. */
function remapArgs(args: readonly string[], byNumber: ReadonlyMap<number, number>): string[] {
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    const arg = out[i] ?? '';
    const flag = PORT_FLAGS.find((f) => arg === f || arg.startsWith(`${f}=`));
    if (flag === undefined) continue;
    const index = arg === flag ? i + 1 : i;
    const value = arg === flag ? (out[i + 1] ?? '') : arg.slice(flag.length + 1);
    const mapped = byNumber.get(Number(value));
    if (mapped === undefined) throw new Error(`${flag}=${value} is not a declared container port`);
    out[index] = arg === flag ? String(mapped) : `${flag}=${mapped}`;
  }
  return out;
}

/** A container port given as number or name, as kubelet resolves it. */
function containerPortOf(container: Container, port: unknown): number {
  if (typeof port === 'number') return port;
  const named = (container.ports ?? []).find((p) => p.name === port);
  if (named === undefined) throw new Error(`probe port ${String(port)} names no container port`);
  return named.containerPort;
}

function probesOf(container: Container, byNumber: ReadonlyMap<number, number>): ProbeSpec[] {
  return PROBE_KINDS.flatMap((kind): ProbeSpec[] => {
    const spec = container[kind] as Record<string, unknown> | undefined;
    if (spec === undefined) return [];
    const http = spec['httpGet'] as { path?: string; port: unknown; scheme?: string } | undefined;
    if (http === undefined) throw new Error(`${kind} is not an httpGet probe`);
    const containerPort = containerPortOf(container, http.port);
    const port = byNumber.get(containerPort);
    if (port === undefined) throw new Error(`${kind} probes port ${containerPort}, which the container does not declare`);
    return [{
      kind, path: http.path ?? '/', scheme: http.scheme ?? 'HTTP', containerPort, port,
      timeoutSeconds: (spec['timeoutSeconds'] as number | undefined) ?? 1,
      periodSeconds: (spec['periodSeconds'] as number | undefined) ?? 10,
      failureThreshold: (spec['failureThreshold'] as number | undefined) ?? 3,
    }];
  });
}

/** The overlay's env with ports remapped, bound to 127.0.0.1, pointed at `kubeconfig`. */
function deployedEnv(container: Container, byNumber: ReadonlyMap<number, number>, byName: ReadonlyMap<string, number>, kubeconfig: string): Record<string, string> {
  const env = resolveEnv(container);
  for (const name of PORT_ENV) {
    const value = env[name];
    if (value === undefined) continue;
    const mapped = byNumber.get(Number(value));
    if (mapped === undefined) throw new Error(`${name}=${value} is not a declared container port`);
    env[name] = String(mapped);
  }
  const health = byName.get('health');
  if (env['HEALTH_PORT'] === undefined && health !== undefined) env['HEALTH_PORT'] = String(health);
  const metrics = byName.get('metrics');
  if (env['OTEL_EXPORTER_PROMETHEUS_PORT'] === undefined && metrics !== undefined) env['OTEL_EXPORTER_PROMETHEUS_PORT'] = String(metrics);
  // The Deployment's northbound is a cluster Service address, never contacted from here (only
  // loopback is): these runs are IPAM-only; test/e2e/ovn-network.test.ts runs with a local OVN.
  return { ...env, OVN_NB_ADDR: '', KUBECONFIG: kubeconfig, HEALTH_BIND_ADDRESS: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1' };
}

/**
 * Renders `overlay`, starts a local API server and the built controller as its Deployment
 * says. `adjust` may change the final env (e.g. point OTLP at a receiver double).
 */
export async function startAsDeployed(overlay: Overlay, adjust: (env: Record<string, string>) => Record<string, string> = (e) => e): Promise<DeployedRun> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (these tests run the built controller)`);
  const objects = await render(`deploy/overlays/${overlay}`);
  const container = controllerContainer(objects);
  const { byNumber, byName } = await remapPorts(container);
  const probes = probesOf(container, byNumber);
  const kube = await startKube();
  const env = adjust(deployedEnv(container, byNumber, byName, kube.kubeconfig));
  const args = remapArgs((container['args'] as string[] | undefined) ?? [], byNumber);
  const ctl = spawnController({ args, env });
  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    ctl.kill('SIGTERM');
    try {
      await ctl.exited(12_000);
    } catch {
      ctl.kill('SIGKILL');
      await ctl.exited(5_000).catch(() => undefined);
    }
    await kube.close();
  };
  return { objects, container, kube, ctl, env, args, probes, portByName: byName, stop: () => (stopped ??= stop()) };
}

/** The Service port named `name` resolved to the free port standing in for its target port. */
export function servicePort(run: DeployedRun, name: string): number {
  const ports = at(only(run.objects, 'Service', 'kube-ovn-controller'), 'spec', 'ports') as Array<{ name: string; targetPort: unknown }>;
  const target = ports.find((p) => p.name === name)?.targetPort;
  if (target === undefined) throw new Error(`the Service has no port ${name}`);
  const port = typeof target === 'string' ? run.portByName.get(target) : [...run.portByName.entries()].find(([n]) => (run.container.ports ?? []).some((p) => p.name === n && p.containerPort === target))?.[1];
  if (port === undefined) throw new Error(`the Service port ${name} targets ${String(target)}, which the container does not declare`);
  return port;
}
