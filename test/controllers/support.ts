/** Shared set-up of the controller tests: a config, an API server env, a running manager. */
import { KubeConfig } from '@kubernetes/client-node';
import { createControllerManager } from '../../src/controllers/index.js';
import { createKubeClient, RESOURCES } from '../../src/kube/index.js';
import { createLogger } from '../../src/log/index.js';
import { kubeconfigYaml, startApiServer } from '../support/apiserver/index.js';
import { CRD_FILES } from '../support/kube-env.js';
import { until } from '../support/poll.js';
import { OVN_OFF } from '../support/ovn/config.js';
import type { ApiServer } from '../support/apiserver/index.js';
import type { Config } from '../../src/config/types.js';
import type { KubeClient, KubeObject } from '../../src/kube/index.js';
import type { AddStateGauge, Instruments } from '../../src/telemetry/instruments.js';

export { until };

export function testConfig(overrides: Partial<Config> = {}, identity = 'controller-a'): Config {
  return {
    health: { host: '127.0.0.1', port: 0, extraLivenessPaths: [], extraReadinessPaths: [], eventLoopBlockThresholdMs: 5000 },
    metrics: { exporters: [], hint: 'metrics are disabled', serviceName: 'kube-ovn-controller', resourceAttributes: {} },
    kubeconfig: '',
    leaderElection: { enabled: true, leaseName: 'kube-ovn-controller', namespace: 'kube-system', identity, leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 },
    defaultSubnet: { name: 'ovn-default', cidr: '10.16.0.0/16', gateway: '', excludeIps: [] },
    ovn: OVN_OFF,
    workerNum: 3,
    reconcileStallMs: 300_000,
    shutdownTimeoutMs: 4000,
    logLevel: 'silent',
    pod: { name: identity, namespace: 'kube-system', nodeName: 'node-1', containerName: 'controller' },
    version: '0.0.0-test',
    ...overrides,
  };
}

export interface Env {
  readonly api: ApiServer;
  readonly client: KubeClient;
  newClient(): KubeClient;
  close(): Promise<void>;
}

function clientFactory(url: string): () => KubeClient {
  return () => {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigYaml(url));
    return createKubeClient({ kubeconfig: kc, logger: createLogger({ level: 'silent' }), retry: { initialMs: 10, maxMs: 500 } });
  };
}

export async function startEnv(): Promise<Env> {
  const api = await startApiServer({ crds: CRD_FILES, bookmarkIntervalMs: 500 });
  const newClient = clientFactory(api.url);
  return { api, client: newClient(), newClient, close: () => api.close() };
}

/** Clients for an API server started elsewhere (another process). */
export function startEnvAt(url: string): { newClient(): KubeClient; logger: ReturnType<typeof createLogger> } {
  return { newClient: clientFactory(url), logger: createLogger({ level: 'silent' }) };
}

export interface RunningManager {
  readonly manager: ReturnType<typeof createControllerManager>;
  readonly result: Promise<'stopped' | 'lost-leadership'>;
  stop(): Promise<'stopped' | 'lost-leadership'>;
}

/** `client`: default a fresh client of `env` (a test may wrap one, e.g. to count its requests). */
export function runManager(env: Env, options: { config?: Config; instruments?: Instruments; addStateGauge?: AddStateGauge; client?: KubeClient } = {}): RunningManager {
  const manager = createControllerManager({
    config: options.config ?? testConfig(),
    client: options.client ?? env.newClient(),
    logger: createLogger({ level: 'silent' }),
    ...(options.instruments === undefined ? {} : { instruments: options.instruments }),
    ...(options.addStateGauge === undefined ? {} : { addStateGauge: options.addStateGauge }),
  });
  const abort = new AbortController();
  const result = manager.run(abort.signal);
  return {
    manager,
    result,
    stop: async () => {
      abort.abort();
      return result;
    },
  };
}

export async function createNamespace(client: KubeClient, name: string): Promise<void> {
  await client.create(RESOURCES.namespaces, { metadata: { name } });
}

export function annotations(obj: KubeObject): Record<string, string> {
  return obj.metadata.annotations ?? {};
}

/** The pod once it carries `allocated: "true"`. */
export function allocatedPod(client: KubeClient, namespace: string, name: string, timeoutMs?: number): Promise<KubeObject> {
  return until(async () => {
    const p = await client.get(RESOURCES.pods, name, { namespace });
    return annotations(p)['ovn.kubernetes.io/allocated'] === 'true' ? p : undefined;
  }, `pod ${namespace}/${name} allocated`, timeoutMs);
}

export async function listEvents(client: KubeClient, namespace: string, reason?: string): Promise<KubeObject[]> {
  const list = await client.list(RESOURCES.events, { namespace });
  return list.items.filter((e) => reason === undefined || e['reason'] === reason);
}

/** Waits until every readiness check of the manager passes. */
export function managerReady(manager: RunningManager, what = 'manager ready'): Promise<true> {
  return until(() => manager.manager.readinessChecks.every((c) => (c.run() as { ok: boolean }).ok), what);
}

/** Waits until the manager is Ready and the default subnet it creates reports Ready=True. */
export async function defaultSubnetReady(env: Env, manager: RunningManager, name = 'ovn-default'): Promise<void> {
  await managerReady(manager);
  await until(async () => {
    const s = await env.client.get(RESOURCES.subnets, name);
    const conditions = (s['status'] as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? [];
    return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  }, `${name} Ready`);
}
