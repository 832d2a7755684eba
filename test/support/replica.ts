// One BUILT controller replica on the local API server, with its own health and metrics ports,
// waited for until kubelet would see it Ready: the e2e tests that run several replicas share it.
import { spawnController } from './controller-process.js';
import type { ControllerProcess } from './controller-process.js';
import { eventually, probe } from './kubelet.js';
import type { KubeEnv } from './kube-env.js';
import { freePort } from './ports.js';

export interface Replica {
  readonly name: string;
  readonly ctl: ControllerProcess;
  readonly healthPort: number;
  readonly metricsPort: number;
}

export interface ReplicaOptions {
  /** Flags, e.g. the test's leader-election timings. */
  readonly args: readonly string[];
  /** Added to (and overriding) the kube env and the port settings. */
  readonly env?: Readonly<Record<string, string>>;
  /** How long `/readyz` may take to answer 200. */
  readonly readyTimeoutMs: number;
}

export async function startReplica(kube: KubeEnv, name: string, options: ReplicaOptions): Promise<Replica> {
  const [healthPort, metricsPort] = [await freePort(), await freePort()];
  const ctl = spawnController({
    args: options.args,
    env: {
      ...kube.env(name),
      HEALTH_PORT: String(healthPort),
      HEALTH_BIND_ADDRESS: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      ...options.env,
    },
  });
  try {
    await eventually(async () => (await probe(healthPort, '/readyz')).status === 200, options.readyTimeoutMs, `${name} ready`);
  } catch (err) {
    // Not left running behind the failure, and the failure says what the process was doing.
    ctl.kill('SIGKILL');
    throw new Error(`${String(err)}; stderr: ${ctl.stderr().slice(-1500)}; last logs: ${JSON.stringify(ctl.logs.slice(-8))}`, { cause: err });
  }
  return { name, ctl, healthPort, metricsPort };
}
