// `npm run demo`: the controller's main job with no cluster. Starts the local API server with
// Kube-OVN's CRDs, a namespace bound to a custom subnet and a few pods, runs the BUILT controller
// against it with the Prometheus exporter, shows the addresses it hands out, and runs until Ctrl-C.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startApiServer } from './apiserver/index.js';
import { CRD_FILES } from './kube-env.js';
import { MAIN } from './controller-process.js';
import { freePort } from './ports.js';

const DIR = fileURLToPath(new URL('../../.tmp/demo/', import.meta.url));

async function portOr(preferred: number): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => void freePort().then(resolve));
    s.listen(preferred, '127.0.0.1', () => s.close(() => resolve(preferred)));
  });
}

async function send(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as unknown;
  if (!res.ok && res.status !== 409) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function pod(namespace: string, name: string, annotations: Record<string, string> = {}): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, annotations },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx' }] },
  };
}

async function seed(base: string): Promise<void> {
  await send(base, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
  await send(base, 'POST', '/apis/kubeovn.io/v1/subnets', {
    apiVersion: 'kubeovn.io/v1',
    kind: 'Subnet',
    metadata: { name: 'demo-subnet' },
    spec: { cidrBlock: '10.66.0.0/24,fd00:66::/120', excludeIps: ['10.66.0.2..10.66.0.9'], namespaces: ['demo'] },
  });
  for (const name of ['web-0', 'web-1', 'web-2']) await send(base, 'POST', '/api/v1/namespaces/demo/pods', pod('demo', name));
  await send(base, 'POST', '/api/v1/namespaces/demo/pods', pod('demo', 'static-ip', { 'ovn.kubernetes.io/ip_address': '10.66.0.100,fd00:66::64' }));
  for (const name of ['api-0', 'api-1']) await send(base, 'POST', '/api/v1/namespaces/default/pods', pod('default', name));
}

async function main(): Promise<void> {
  await mkdir(DIR, { recursive: true });
  const api = await startApiServer({ crds: CRD_FILES });
  const kubeconfig = `${DIR}kubeconfig`;
  await api.writeKubeconfig(kubeconfig);
  await seed(api.url);
  const healthPort = await portOr(10660);
  const metricsPort = await portOr(9464);
  const controller = spawn(process.execPath, [MAIN, '--kubeconfig', kubeconfig, '--log-level', 'info'], {
    env: {
      ...process.env,
      POD_NAME: 'kube-ovn-controller-demo',
      POD_NAMESPACE: 'kube-system',
      NODE_NAME: 'node-1',
      HEALTH_PORT: String(healthPort),
      HEALTH_BIND_ADDRESS: '127.0.0.1',
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
    // Its own process group: Ctrl-C reaches only this script, which forwards ONE signal (the
    // controller treats a second signal as "exit at once").
    detached: true,
  });
  process.on('exit', () => controller.kill('SIGKILL'));
  const stop = (signal: NodeJS.Signals): void => {
    controller.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  controller.on('exit', (code) => {
    void api.close().then(() => process.exit(code ?? 0));
  });

  const deadline = Date.now() + 20_000;
  let pods: { metadata: { namespace: string; name: string; annotations?: Record<string, string> } }[] = [];
  while (Date.now() < deadline) {
    pods = ((await send(api.url, 'GET', '/api/v1/pods')) as { items: typeof pods }).items;
    if (pods.every((p) => p.metadata.annotations?.['ovn.kubernetes.io/allocated'] === 'true')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const rows = pods.map((p) => {
    const a = p.metadata.annotations ?? {};
    return `  ${`${p.metadata.namespace}/${p.metadata.name}`.padEnd(18)} ${(a['ovn.kubernetes.io/logical_switch'] ?? '-').padEnd(12)} ${(a['ovn.kubernetes.io/ip_address'] ?? 'not allocated yet').padEnd(28)} ${a['ovn.kubernetes.io/mac_address'] ?? ''}`;
  });
  process.stderr.write(
    [
      '',
      'kube-ovn-controller demo is running (Ctrl-C stops it).',
      `  API server (local double): ${api.url}`,
      `  kubeconfig:                ${kubeconfig}`,
      `  health:                    http://127.0.0.1:${healthPort}/readyz?verbose  (/livez, /healthz)`,
      `  metrics (Prometheus):      http://127.0.0.1:${metricsPort}/metrics`,
      `  try: kubectl --kubeconfig ${kubeconfig} get subnets,ips,pods -A -o wide`,
      '',
      '  pod                subnet       addresses                    mac',
      ...rows,
      '',
    ].join('\n') + '\n',
  );
}

void main();
