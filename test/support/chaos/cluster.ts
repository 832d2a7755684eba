// The chaos test's world: the local API server, two BUILT replicas with short leases, and the
// user, operator and infrastructure actions of `model.ts` applied to them.
import { spawnController } from '../controller-process.js';
import type { ControllerProcess } from '../controller-process.js';
import { startKube } from '../kube-env.js';
import type { KubeEnv } from '../kube-env.js';
import { ANN, namespaceObject, PATHS, podObject, subnetObject } from '../objects.js';
import type { Obj } from '../objects.js';
import { freePort } from '../ports.js';
import { DEFAULT_SUBNET, JUNK, NAMESPACES, SUBNET_NAMES, SUBNETS } from './model.js';
import type { Command, Edit, Namespace, SubnetName } from './model.js';
import type { Snapshot } from './invariants.js';

const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-ovn-controller';
/** Short leases so a killed leader is replaced within a few seconds. */
const LEADER_ARGS = ['--leader-elect-lease-duration=2s', '--leader-elect-renew-deadline=1500ms', '--leader-elect-retry-period=250ms', '--worker-num=2'];
/** The address prefix static requests use per namespace (its initial subnet's IPv4 range). */
const STATIC_PREFIX: Record<Namespace, string> = { ca: '10.90.0', cb: '10.91.0', cc: '10.16.0' };

export interface Replica {
  readonly name: string;
  readonly ctl: ControllerProcess;
  readonly metricsPort: number;
}

/** JSON over HTTP that retries injected 500s (the faults are meant for the controller). */
async function call(base: string, method: string, path: string, body?: unknown, allow: readonly number[] = []): Promise<{ status: number; json: Obj & { items?: Obj[] } }> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(base + path, {
      method,
      headers: { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Obj & { items?: Obj[] };
    if (res.status === 500 && attempt < 50) continue;
    if (!res.ok && !allow.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    return { status: res.status, json };
  }
}

export class ChaosCluster {
  readonly replicas: Replica[] = [];
  /** Pods in creation order; commands refer to them by index (mod length). */
  readonly pods: { ns: Namespace; name: string }[] = [];
  readonly staticPods = new Set<string>();
  readonly everServed = new Set<string>([DEFAULT_SUBNET, ...SUBNET_NAMES]);
  private readonly bindings = new Map<SubnetName, readonly Namespace[]>(SUBNET_NAMES.map((s) => [s, SUBNETS[s].namespaces]));
  private spawned = 0;
  private readonly replaced = new Set<string>();

  private constructor(readonly kube: KubeEnv) {}

  static async start(): Promise<ChaosCluster> {
    const cluster = new ChaosCluster(await startKube({ bookmarkIntervalMs: 500 }));
    try {
      for (const ns of NAMESPACES) await cluster.req('POST', PATHS.namespaces, namespaceObject(ns));
      for (const s of SUBNET_NAMES) await cluster.req('POST', PATHS.subnets, subnetObject(s, { cidrBlock: SUBNETS[s].cidrBlock, namespaces: [...SUBNETS[s].namespaces] }));
      await Promise.all([cluster.spawn(), cluster.spawn()]);
      return cluster;
    } catch (err) {
      await cluster.close();
      throw err;
    }
  }

  req(method: string, path: string, body?: unknown, allow: readonly number[] = []) {
    return call(this.kube.api.url, method, path, body, allow);
  }

  async spawn(): Promise<Replica> {
    const name = `chaos-${++this.spawned}`;
    const metricsPort = await freePort();
    const ctl = spawnController({
      args: LEADER_ARGS,
      env: {
        ...this.kube.env(name),
        HEALTH_PORT: String(await freePort()),
        HEALTH_BIND_ADDRESS: '127.0.0.1',
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
        LOG_LEVEL: 'info',
      },
    });
    const replica = { name, ctl, metricsPort };
    this.replicas.push(replica);
    return replica;
  }

  async leader(): Promise<Replica | undefined> {
    const { json } = await this.req('GET', LEASE_PATH, undefined, [404]);
    const holder = String(json.spec?.['holderIdentity'] ?? '');
    return this.replicas.find((r) => r.name === holder && r.ctl.proc.exitCode === null && r.ctl.proc.signalCode === null);
  }

  async snapshot(): Promise<Snapshot> {
    const [pods, ips, subnets] = await Promise.all([PATHS.pods(), PATHS.ips, PATHS.subnets].map(async (p) => (await this.req('GET', p)).json.items ?? []));
    const leader = await this.leader();
    let metrics: string | undefined;
    if (leader !== undefined) {
      try {
        const res = await fetch(`http://127.0.0.1:${leader.metricsPort}/metrics`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) metrics = await res.text();
      } catch {
        // a leader that just started may not serve yet: this poll checks no metric invariant
      }
    }
    return { pods: pods ?? [], ips: ips ?? [], subnets: subnets ?? [], metrics };
  }

  /** Applies one command; returns a note when it did nothing (e.g. no such pod). */
  async apply(c: Command): Promise<string> {
    switch (c.kind) {
      case 'createPod':
        return this.createPod(c.ns, c.restartPolicy, c.static);
      case 'deletePod':
        return this.onPod(c.pod, async (p) => void (await this.req('DELETE', `${PATHS.pods(p.ns)}/${p.name}`, undefined, [404])));
      case 'finishPod':
        return this.onPod(c.pod, async (p) => void (await this.req('PATCH', `${PATHS.pods(p.ns)}/${p.name}/status`, { status: { phase: c.phase } }, [404])));
      case 'editAnnotation':
        return this.edit(c.pod, c.edit);
      case 'createSubnet': {
        const { status } = await this.req('POST', PATHS.subnets, subnetObject(c.subnet, { cidrBlock: SUBNETS[c.subnet].cidrBlock, namespaces: [...(this.bindings.get(c.subnet) ?? [])] }), [409]);
        return status === 409 ? 'exists' : '';
      }
      case 'deleteSubnet':
        return (await this.req('DELETE', `${PATHS.subnets}/${c.subnet}`, undefined, [404])).status === 404 ? 'absent' : '';
      case 'forceDeleteSubnet': {
        if ((await this.req('DELETE', `${PATHS.subnets}/${c.subnet}`, undefined, [404])).status === 404) return 'absent';
        await this.req('PATCH', `${PATHS.subnets}/${c.subnet}`, { metadata: { finalizers: null } }, [404]);
        return '';
      }
      case 'bindNamespaces': {
        this.bindings.set(c.subnet, c.namespaces);
        return (await this.req('PATCH', `${PATHS.subnets}/${c.subnet}`, { spec: { namespaces: [...c.namespaces] } }, [404])).status === 404 ? 'absent (binding kept for re-create)' : '';
      }
      case 'killLeader':
        return this.killLeader();
      case 'fault':
        return this.fault(c);
    }
  }

  private async createPod(ns: Namespace, restartPolicy: 'Always' | 'Never', staticHost: number | undefined): Promise<string> {
    const name = `p${this.pods.length}`;
    const annotations: Record<string, string> = staticHost === undefined ? {} : { [ANN.ip]: `${STATIC_PREFIX[ns]}.${200 + staticHost}` };
    const pod = podObject(ns, name, { annotations });
    (pod.spec as Record<string, unknown>)['restartPolicy'] = restartPolicy;
    await this.req('POST', PATHS.pods(ns), pod);
    this.pods.push({ ns, name });
    if (staticHost !== undefined) this.staticPods.add(`${ns}/${name}`);
    return name;
  }

  private async onPod(index: number, fn: (p: { ns: Namespace; name: string }) => Promise<void>): Promise<string> {
    const p = this.pods[index % Math.max(1, this.pods.length)];
    if (p === undefined) return 'no pod yet';
    await fn(p);
    return `${p.ns}/${p.name}`;
  }

  private async edit(index: number, edit: Edit): Promise<string> {
    const p = this.pods[index % Math.max(1, this.pods.length)];
    if (p === undefined) return 'no pod yet';
    const { status, json: pod } = await this.req('GET', `${PATHS.pods(p.ns)}/${p.name}`, undefined, [404]);
    if (status === 404 || pod.metadata.annotations?.[ANN.allocated] !== 'true') return `${p.ns}/${p.name} not allocated: skipped`;
    const value = await this.editValue(pod, edit);
    if (value === undefined) return 'no value to use: skipped';
    const key = { ip: ANN.ip, mac: ANN.mac, ls: ANN.ls, cidr: ANN.cidr, gateway: ANN.gateway }[edit.field];
    await this.req('PATCH', `${PATHS.pods(p.ns)}/${p.name}`, { metadata: { annotations: { [key]: value } } }, [404]);
    return `${p.ns}/${p.name} ${key}=${value.length > 40 ? `${value.slice(0, 20)}…(${value.length})` : value}`;
  }

  private async editValue(pod: Obj, edit: Edit): Promise<string | undefined> {
    const current = pod.metadata.annotations ?? {};
    switch (edit.field) {
      case 'ip': {
        if (edit.value === 'junk') return 'not-an-ip';
        const v4 = (current[ANN.ip] ?? '').split(',')[0] ?? '';
        if (edit.value === 'free-looking') return v4.replace(/\.\d+$/, '.177');
        const pods = (await this.req('GET', PATHS.pods())).json.items ?? [];
        return pods.find((o) => o.metadata.name !== pod.metadata.name && o.metadata.annotations?.[ANN.allocated] === 'true')?.metadata.annotations?.[ANN.ip];
      }
      case 'mac':
        return edit.value === 'junk' ? 'zz:zz' : '0a:00:00:00:00:01';
      case 'ls':
        if (edit.value === 'nonexistent') return 'nonexistent';
        if (edit.value === 'junk') return JUNK;
        return [DEFAULT_SUBNET, ...SUBNET_NAMES].find((s) => s !== current[ANN.ls]);
      case 'cidr':
        return '1.2.3.0/24';
      case 'gateway':
        return '1.2.3.1';
    }
  }

  private async killLeader(): Promise<string> {
    const leader = (await this.leader()) ?? this.replicas.find((r) => r.ctl.proc.exitCode === null && r.ctl.proc.signalCode === null);
    if (leader === undefined) return 'no live replica';
    leader.ctl.kill('SIGKILL');
    await leader.ctl.exited(10_000).catch(() => undefined);
    const next = await this.spawn();
    return `killed ${leader.name}, started ${next.name}`;
  }

  private fault(c: Extract<Command, { kind: 'fault' }>): string {
    const f = this.kube.api.faults;
    if (c.fault === '5xx') f.failNext(c.count ?? 1, { status: 500 });
    else if (c.fault === 'dropWatches') f.dropWatches();
    else {
      f.compactHistory();
      f.dropWatches();
    }
    return '';
  }

  /**
   * kubelet's part: a replica that exited on its own (exit 1 after a lost or failed term is the
   * contract) is replaced. Returns what exited, for the report.
   */
  async reviveExited(): Promise<string[]> {
    const exited = this.replicas.filter((r) => r.ctl.proc.exitCode !== null && !this.replaced.has(r.name));
    for (const r of exited) {
      this.replaced.add(r.name);
      await this.spawn();
    }
    return exited.map((r) => `${r.name} exited ${String(r.ctl.proc.exitCode)}`);
  }

  /** The last warn/error log lines of every replica, for a failure report. */
  diagnostics(lines = 8): string[] {
    return this.replicas.flatMap((r) =>
      r.ctl.logs
        .filter((l) => l.level === 'warn' || l.level === 'error' || l.level === 'fatal')
        .slice(-lines)
        .map((l) => `${r.name} ${String(l.level)}: ${String(l.msg)} ${JSON.stringify({ ...l, level: undefined, msg: undefined, time: undefined, pid: undefined, hostname: undefined }).slice(0, 300)}`),
    );
  }

  async close(): Promise<void> {
    for (const r of this.replicas) if (r.ctl.proc.exitCode === null && r.ctl.proc.signalCode === null) r.ctl.kill('SIGKILL');
    await Promise.all(this.replicas.map((r) => r.ctl.exited(10_000).catch(() => undefined)));
    this.kube.api.faults.reset();
    await this.kube.close();
  }
}
