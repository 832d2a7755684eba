// `npm run demo`: the controller's main job with no cluster, as a place to play with kubectl. Starts the
// local API server with Kube-OVN's CRDs, a namespace bound to a custom subnet and a few pods, runs the
// BUILT controller against it (Prometheus exporter) and, where the OVN binaries exist, a local OVN with a
// CNI double (test/support/demo-ovn.ts), prints what to try, and runs until Ctrl-C, SIGTERM,
// or its parent (npm, the shell) going away; no child outlives it (test/support/processes.ts).
// Logs are pino-pretty on a terminal, JSON lines otherwise. DEMO_DIR overrides the state directory.
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { startApiServer } from './apiserver/index.js';
import type { ApiServer } from './apiserver/index.js';
import { MAIN } from './controller-process.js';
import { startDemoOvn } from './demo-ovn.js';
import type { DemoOvn } from './demo-ovn.js';
import { CRD_FILES } from './kube-env.js';
import { freePort } from './ports.js';
import { ChildGroup, onAncestorExit } from './processes.js';

const DIR = process.env['DEMO_DIR'] ?? fileURLToPath(new URL('../../.tmp/demo/', import.meta.url));

async function portOr(preferred: number): Promise<number> {
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
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, annotations }, spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx' }] } };
}

async function seed(base: string): Promise<void> {
  await send(base, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '172.18.0.2' }] } });
  await send(base, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
  await send(base, 'POST', '/apis/kubeovn.io/v1/subnets', {
    apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: 'demo-subnet' },
    spec: { cidrBlock: '10.66.0.0/24,fd00:66::/120', excludeIps: ['10.66.0.2..10.66.0.9'], namespaces: ['demo'] },
  });
  for (const name of ['web-0', 'web-1', 'web-2']) await send(base, 'POST', '/api/v1/namespaces/demo/pods', pod('demo', name));
  await send(base, 'POST', '/api/v1/namespaces/demo/pods', pod('demo', 'static-ip', { 'ovn.kubernetes.io/ip_address': '10.66.0.100,fd00:66::64' }));
  for (const name of ['api-0', 'api-1']) await send(base, 'POST', '/api/v1/namespaces/default/pods', pod('default', name));
}

const EXAMPLE_POD = `apiVersion: v1
kind: Pod
metadata:
  name: hello
  namespace: demo
spec:
  nodeName: node-1
  containers:
  - name: app
    image: nginx
`;

/** Where the controller's JSON log lines go: through pino-pretty on a terminal (when installed), else as they are. */
async function logSink(): Promise<Writable | undefined> {
  if (process.stdout.isTTY !== true) return undefined;
  try {
    const { default: pretty } = await import('pino-pretty');
    return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,pod', destination: 1, sync: true });
  } catch {
    return undefined;
  }
}

async function waitForAllocations(api: ApiServer): Promise<Array<{ metadata: { namespace: string; name: string; annotations?: Record<string, string> } }>> {
  const deadline = Date.now() + 20_000;
  let pods: Array<{ metadata: { namespace: string; name: string; annotations?: Record<string, string> } }> = [];
  while (Date.now() < deadline) {
    pods = ((await send(api.url, 'GET', '/api/v1/pods')) as { items: typeof pods }).items;
    if (pods.every((p) => p.metadata.annotations?.['ovn.kubernetes.io/allocated'] === 'true')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return pods;
}

/** With OVN on: until every pod is routed and ovn-installed (bounded), then each pod's port and state. */
async function waitForNetwork(ovn: DemoOvn, pods: number): Promise<Awaited<ReturnType<DemoOvn['status']>>> {
  const deadline = Date.now() + 30_000;
  let status = await ovn.status();
  while (ovn.off === undefined && Date.now() < deadline && !(status.size >= pods && [...status.values()].every((s) => s.installed))) {
    await new Promise((r) => setTimeout(r, 500));
    status = await ovn.status();
  }
  return status;
}

function summary(api: ApiServer, kubeconfig: string, healthPort: number, metricsPort: number, pods: Awaited<ReturnType<typeof waitForAllocations>>, network: Awaited<ReturnType<DemoOvn['status']>>, ovnOff: string | undefined, nbctl: string): string {
  const rows = pods.map((p) => {
    const a = p.metadata.annotations ?? {};
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    const n = network.get(key);
    const ovnCols = ovnOff !== undefined ? '' : ` ${(n?.port ?? '-').padEnd(18)} ${(a['ovn.kubernetes.io/routed'] ?? 'no').padEnd(7)} ${n?.installed === true ? 'yes' : 'no'}`;
    return `  ${key.padEnd(18)} ${(a['ovn.kubernetes.io/logical_switch'] ?? '-').padEnd(12)} ${(a['ovn.kubernetes.io/ip_address'] ?? 'not allocated yet').padEnd(28)}${ovnCols}`;
  });
  const header = ovnOff !== undefined ? '  pod                subnet       addresses' : '  pod                subnet       addresses                    logical port       routed  ovn-installed';
  const mode = ovnOff !== undefined
    ? [`  OVN:                       OFF, IPAM-ONLY (${ovnOff}); install ovn-central ovn-host openvswitch-switch for the real thing`]
    : ['  OVN:                       a local OVN (northd, ovn-controller, dummy datapath) with a CNI double on node-1'];
  const ovnTry = nbctl === '' ? [] : [`  ${nbctl} show; ${nbctl} lr-policy-list ovn-cluster     # switches, ports, node policies`, '  kubectl get node node-1 -o jsonpath="{.metadata.annotations}"          # its join address and port'];
  return [
    '',
    'kube-ovn-controller demo is running (Ctrl-C stops it).',
    `  API server (local double): ${api.url}`,
    `  health:                    http://127.0.0.1:${healthPort}/readyz?verbose  (/livez, /healthz)`,
    `  metrics (Prometheus):      http://127.0.0.1:${metricsPort}/metrics`,
    ...mode,
    '',
    header,
    ...rows,
    '',
    'Try it (kubectl picks its version from the server; validation and -o wide work as in a cluster):',
    `  export KUBECONFIG=${kubeconfig}`,
    '  kubectl get subnets,ips -o wide; kubectl get pods -A -o wide',
    '  kubectl create ns play && kubectl run web -n play --image=nginx     # takes an ovn-default address',
    `  kubectl apply -f ${DIR}examples/pod.yaml                           # a pod in demo-subnet`,
    '  kubectl run pinned -n demo --image=nginx --annotations=ovn.kubernetes.io/ip_address=10.66.0.50   # a static IP',
    '  kubectl annotate pod pinned -n demo --overwrite ovn.kubernetes.io/ip_address=10.66.0.51; kubectl delete pod pinned -n demo',
    '     (the address is read at allocation: a changed annotation takes effect when the pod is created again)',
    '  kubectl get pod hello -n demo -o jsonpath="{.metadata.annotations}"; kubectl get events -n demo',
    '  kubectl create sa robot && kubectl create token robot                 # TokenRequest; TokenReview/SubjectAccessReview served',
    ...ovnTry,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  await mkdir(`${DIR}examples`, { recursive: true });
  await writeFile(`${DIR}examples/pod.yaml`, EXAMPLE_POD);
  const api = await startApiServer({ crds: CRD_FILES });
  const kubeconfig = `${DIR}kubeconfig`;
  await api.writeKubeconfig(kubeconfig);
  await seed(api.url);
  const healthPort = await portOr(10660);
  const metricsPort = await portOr(9464);
  const children = new ChildGroup();
  const sink = await logSink();
  const ovn = await startDemoOvn((line) => void process.stderr.write(`${line}\n`));
  const controller = children.spawn('controller', process.execPath, [MAIN, '--kubeconfig', kubeconfig, '--log-level', 'info', ...ovn.args], {
    output: sink === undefined ? 'inherit' : 'pipe',
    env: {
      ...process.env,
      POD_NAME: 'kube-ovn-controller-demo', POD_NAMESPACE: 'kube-system', NODE_NAME: 'node-1',
      HEALTH_PORT: String(healthPort), HEALTH_BIND_ADDRESS: '127.0.0.1',
      OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
    },
  });
  if (sink !== undefined) {
    controller.process.stdout?.pipe(sink);
    controller.process.stderr?.pipe(process.stderr);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      children.killNow();
      process.exit(1);
    }
    stopping = true;
    void children.stop(signal).then(async () => {
      await Promise.all([api.close(), ovn.stop()]);
      process.exit(0);
    });
  };
  process.on('exit', () => {
    children.killNow();
    ovn.killNow();
  });
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGTERM'));
  onAncestorExit(() => stop('SIGTERM'));
  void controller.exited.then(async (code) => {
    if (stopping) return;
    await Promise.all([api.close(), ovn.stop()]);
    process.exit(code);
  });
  ovn.startCni(api.url);
  const pods = await waitForAllocations(api);
  const network = await waitForNetwork(ovn, pods.length);
  process.stderr.write(`${summary(api, kubeconfig, healthPort, metricsPort, pods, network, ovn.off, ovn.nbctl)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
