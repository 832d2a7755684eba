// Issue 10 "What was seen" 1-4, each reproduced as a user meets it: the BUILT controller, the
// local API server and kubectl. Named after what each guards.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawnController } from '../support/controller-process.js';
import { kubectlMissing } from '../support/kubectl.js';
import { startReplica } from '../support/replica.js';
import type { Replica } from '../support/replica.js';
import { eventually, probe } from '../support/kubelet.js';
import { startKube } from '../support/kube-env.js';
import type { KubeEnv } from '../support/kube-env.js';
import { ANN, apiClient, namespaceObject, PATHS, podObject, subnetObject } from '../support/objects.js';
import type { ApiClient, Obj } from '../support/objects.js';
import { freePort } from '../support/ports.js';
import { schemelessKubeconfig } from '../support/kubeconfigs.js';

const NO_KUBECTL = kubectlMissing('issue 10 regressions need it');

const startRegressing = (kube: KubeEnv, name: string): Promise<Replica> =>
  startReplica(kube, name, {
    args: ['--leader-elect-lease-duration=2s', '--leader-elect-renew-deadline=1500ms', '--leader-elect-retry-period=250ms'],
    env: { OTEL_METRICS_EXPORTER: 'prometheus' },
    readyTimeoutMs: 30_000,
  });

function kubectl(kube: KubeEnv, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['--kubeconfig', kube.kubeconfig, ...args], { timeout: 30_000 }, (err, stdout, stderr) => (err === null ? resolve(stdout) : reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`))));
  });
}

const ann = (o: Obj, k: string): string | undefined => o.metadata.annotations?.[k];

/** One cluster per case: API server, the controller, and helpers over both. */
function world() {
  let kube!: KubeEnv;
  let api!: ApiClient;
  const replicas: Replica[] = [];
  const w = {
    get kube() {
      return kube;
    },
    get api() {
      return api;
    },
    replicas,
    async start(): Promise<void> {
      kube = await startKube();
      api = apiClient(kube.api.url);
      replicas.push(await startRegressing(kube, 'regress-1'));
      await eventually(async () => ((await api.get(`${PATHS.subnets}/ovn-default`)).status?.['v4availableIPs'] ?? 0) !== 0, 30_000, 'default subnet served');
    },
    async stop(): Promise<void> {
      for (const r of replicas) if (r.ctl.proc.exitCode === null && r.ctl.proc.signalCode === null) r.ctl.kill('SIGKILL');
      await Promise.all(replicas.map((r) => r.ctl.exited(10_000).catch(() => undefined)));
      await kube?.close();
    },
    async allocatedPod(ns: string, name: string, annotations: Record<string, string> = {}): Promise<Obj> {
      await api.create(PATHS.pods(ns), podObject(ns, name, { annotations }));
      let pod: Obj | undefined;
      await eventually(async () => ann((pod = await api.get(`${PATHS.pods(ns)}/${name}`)), ANN.allocated) === 'true', 30_000, `${ns}/${name} allocated`);
      return pod as Obj;
    },
    async warnings(ns: string, pod: string, reason: string): Promise<Obj[]> {
      const events = await api.list(PATHS.events(ns));
      return events.filter((e) => (e as unknown as { reason?: string }).reason === reason && (e as unknown as { involvedObject?: { name?: string } }).involvedObject?.name === pod);
    },
    /** kill -9 the leader and start a new replica, which takes over once the lease expires. */
    async leaderChange(): Promise<void> {
      const old = replicas.at(-1) as Replica;
      old.ctl.kill('SIGKILL');
      await old.ctl.exited(10_000);
      const next = await startRegressing(kube, `regress-${replicas.length + 1}`);
      replicas.push(next);
      const lease = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-ovn-controller';
      await eventually(async () => (await api.get(lease)).spec?.['holderIdentity'] === next.name, 20_000, 'the new replica leads');
    },
  };
  return w;
}

describe('issue 10 regressions: address integrity through the built controller', { skip: NO_KUBECTL }, () => {
  describe('case 1: an edited allocation annotation is written back, never followed', () => {
    const w = world();
    before(() => w.start());
    after(() => w.stop());

    test('kubectl annotate ip_address on an allocated pod: written back with a Warning, the address is never given to another pod, even after a leader change', async () => {
      const a = await w.allocatedPod('default', 'a');
      const held = ann(a, ANN.ip) as string;
      await kubectl(w.kube, ['annotate', 'pod', 'a', `${ANN.ip}=10.16.0.77`, '--overwrite']);
      await eventually(async () => ann(await w.api.get(`${PATHS.pods('default')}/a`), ANN.ip) === held, 20_000, `ip_address written back to ${held}`);
      assert.equal((await w.api.get(`${PATHS.ips}/a.default`)).spec?.['ipAddress'], held, 'the IP object keeps the held address');
      await eventually(async () => (await w.warnings('default', 'a', 'AddressAnnotationChanged')).length > 0, 10_000, 'Warning Event AddressAnnotationChanged');
      await w.leaderChange();
      const b = await w.allocatedPod('default', 'b');
      assert.notEqual(ann(b, ANN.ip), held, `the new leader must not give ${held} (still a's) to b`);
      assert.equal(ann(await w.api.get(`${PATHS.pods('default')}/a`), ANN.ip), held);
    });

    test('kubectl annotate logical_switch to a subnet that does not exist releases nothing', async () => {
      const c = await w.allocatedPod('default', 'c');
      const held = ann(c, ANN.ip) as string;
      await kubectl(w.kube, ['annotate', 'pod', 'c', `${ANN.ls}=nonexistent`, '--overwrite']);
      await eventually(async () => ann(await w.api.get(`${PATHS.pods('default')}/c`), ANN.ls) === 'ovn-default', 20_000, 'logical_switch written back');
      assert.equal((await w.api.get(`${PATHS.ips}/c.default`)).spec?.['ipAddress'], held);
      const d = await w.allocatedPod('default', 'd');
      assert.notEqual(ann(d, ANN.ip), held, `${held} is still c's`);
      await eventually(async () => (await w.api.get(`${PATHS.subnets}/ovn-default`)).status?.['v4usingIPs'] === 4, 10_000, 'ovn-default counts a, b, c, d');
    });
  });

  describe('case 2: a force-deleted and re-applied Subnet keeps its pods\' addresses', () => {
    const w = world();
    before(() => w.start());
    after(() => w.stop());

    test('kubectl delete + remove finalizer + kubectl apply: the next pod does not get an address a live pod holds', async () => {
      const yaml = join(await mkdtemp(join(tmpdir(), 'subnet-')), 'team.yaml');
      await writeFile(yaml, 'apiVersion: kubeovn.io/v1\nkind: Subnet\nmetadata:\n  name: team-net\nspec:\n  cidrBlock: 10.70.0.0/24\n  namespaces: [team]\n');
      await w.api.create(PATHS.namespaces, namespaceObject('team'));
      await kubectl(w.kube, ['apply', '--validate=false', '-f', yaml]);
      const t1 = await w.allocatedPod('team', 't1');
      const held = ann(t1, ANN.ip) as string;
      assert.match(held, /^10\.70\.0\./);
      await kubectl(w.kube, ['delete', 'subnet', 'team-net', '--wait=false']);
      await kubectl(w.kube, ['patch', 'subnet', 'team-net', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
      await eventually(async () => (await w.api.list(PATHS.subnets)).every((s) => s.metadata.name !== 'team-net'), 10_000, 'team-net gone');
      await kubectl(w.kube, ['apply', '--validate=false', '-f', yaml]);
      const t2 = await w.allocatedPod('team', 't2');
      assert.notEqual(ann(t2, ANN.ip), held, `t1 still holds ${held}`);
      assert.equal(ann(await w.api.get(`${PATHS.pods('team')}/t1`), ANN.ip), held);
      await eventually(async () => (await w.api.get(`${PATHS.subnets}/team-net`)).status?.['v4usingIPs'] === 2, 10_000, 'team-net counts t1 and t2');
    });
  });

  describe('case 3: pod annotation values never become metric labels', () => {
    const w = world();
    before(() => w.start());
    after(() => w.stop());

    test('three pods with 1.5 KB junk logical_switch values leave only served subnets and `unknown` in subnet_name', async () => {
      for (const i of [1, 2, 3]) await w.api.create(PATHS.pods('default'), podObject('default', `junk-${i}`, { annotations: { [ANN.ls]: `junk-${i}-${'x'.repeat(1530)}` } }));
      const scrape = async (): Promise<string> => (await fetch(`http://127.0.0.1:${(w.replicas.at(-1) as Replica).metricsPort}/metrics`)).text();
      await eventually(async () => /ipam_allocations_total\{[^}]*result="error"/.test(await scrape()), 20_000, 'allocation errors counted');
      const text = await scrape();
      const labels = [...text.matchAll(/subnet_name="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? '');
      const foreign = [...new Set(labels)].filter((l) => l !== 'unknown' && l !== 'ovn-default').map((l) => `${l.slice(0, 24)}… (${l.length} chars)`);
      assert.deepEqual(foreign, [], 'subnet_name only from served subnets');
      const unknown = text.split('\n').find((l) => l.startsWith('ipam_allocations_total{') && l.includes('subnet_name="unknown"') && l.includes('result="error"'));
      assert.ok(Number(unknown?.split(' ').at(-1)) >= 3, `the three failures are counted under unknown: ${String(unknown)}`);
    });
  });
});

// Case 4 guards the fatal path at load.
describe('issue 10 regression case 4: a kubeconfig server without a scheme', () => {
  test('exits 2 with one line naming the file and the field, never a Ready process that reconciles nothing', async () => {
    const kubeconfig = await schemelessKubeconfig();
    const healthPort = await freePort();
    const ctl = spawnController({ env: { KUBECONFIG: kubeconfig, POD_NAMESPACE: 'kube-system', POD_NAME: 'case-4', HEALTH_PORT: String(healthPort), HEALTH_BIND_ADDRESS: '127.0.0.1', OTEL_METRICS_EXPORTER: 'none' } });
    try {
      assert.equal(await ctl.exited(10_000), 2, ctl.stderr());
      assert.match(ctl.stderr(), new RegExp(`^kube-ovn-controller: --kubeconfig: cannot use \`${kubeconfig}\`: clusters\\[name="local"\\]\\.cluster\\.server: .*got \`127\\.0\\.0\\.1:6443\`\\n$`));
      await assert.rejects(probe(healthPort, '/readyz', { timeoutMs: 500 }));
    } finally {
      if (ctl.proc.exitCode === null) ctl.kill('SIGKILL');
    }
  });
});
