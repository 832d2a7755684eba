import { randomBytes } from 'node:crypto';
import type { Counter } from '@opentelemetry/api';
import type { Logger } from '../log/index.js';
import type { DbCache } from './cache.js';
import type { OvsdbClient } from './client.js';
import { createBatcher } from './nb-batcher.js';
import type { Build, NbResult } from './nb-batcher.js';
import { describeOperations } from './nb-drift.js';
import type { Drift } from './nb-drift.js';
import { findOrphans, gcPass, removeOrphansOps } from './nb-gc.js';
import type { Orphan, Owners } from './nb-gc.js';
import { deleteSubnetOps, deleteSwitchPortOps, ensurePodPortOps, ensureRouterOps, ensureSubnetOps } from './nb-model.js';
import type { NbContext, NodeSpec, PodPortSpec, SubnetSpec } from './nb-model.js';
import { NB_TABLES, podPortName, randomMac } from './nb-names.js';
import { deleteNodeOps, ensureNodeOps, setPortGroupsOps } from './nb-node.js';
import { Tx } from './nb-tx.js';

export interface NbNetworkOptions {
  readonly client: OvsdbClient;
  /** `--cluster-router`. */
  readonly router: string;
  /** `--node-switch`. */
  readonly nodeSwitch: string;
  /** Gateways of the node switch (`--node-switch-gateway`, resolved to addresses), v4 first. */
  readonly nodeSwitchGateways: readonly string[];
  readonly logger: Logger;
  readonly instruments?: { readonly ovnDriftRepairs: Counter<{ table: string }>; readonly ovnGcRemovals: Counter<{ table: string }> };
  /** Bound on each request, ms (`--ovn-timeout`). */
  readonly timeoutMs: number;
  readonly maxBatch?: number;
  /** MAC source for new router ports; default crypto random. */
  readonly randomBytes?: (n: number) => Uint8Array;
}

/** Everything that should exist, for drift checks and start-up reconcile. */
export interface Desired {
  readonly subnets: readonly SubnetSpec[];
  readonly pods: readonly PodPortSpec[];
  readonly nodes: readonly NodeSpec[];
}

export interface NbReadiness {
  readonly name: 'ovn-nb';
  run(): { readonly ok: true } | { readonly ok: false; readonly reason: string };
}

export interface NbNetwork {
  /** Router, its options and default routes. Call first, then the node switch, then other subnets. */
  ensureRouter(): Promise<NbResult>;
  ensureSubnet(spec: SubnetSpec): Promise<NbResult>;
  /** Only once no pod uses the subnet. */
  deleteSubnet(name: string): Promise<NbResult>;
  /**
   * Port `<pod>.<ns>`, before the pod's IP object and annotations; with `spec.node` it joins
   * `<subnet>.<node>` in the same transaction. Concurrent calls share transactions.
   */
  ensurePodPort(spec: PodPortSpec): Promise<NbResult>;
  deletePodPort(pod: string, namespace: string): Promise<NbResult>;
  /** A pod scheduled after its port was made: the port joins `<subnet>.<node>`. Then patch `routed`. */
  setPortGroups(pod: { readonly pod: string; readonly namespace: string; readonly subnet: string }, node: string): Promise<NbResult>;
  ensureNode(spec: NodeSpec): Promise<NbResult>;
  deleteNode(node: string): Promise<NbResult>;
  /** What differs between `desired` and the cache, column by column. Pure over the current cache. */
  diff(desired: Desired): Drift[];
  /** Rewrites whatever `diff` finds; counts repairs per table. */
  repair(desired: Desired): Promise<{ readonly drift: readonly Drift[]; readonly failed: number }>;
  /** One GC pass: removes rows orphaned on this and the previous pass. */
  collectGarbage(owners: Owners): Promise<{ readonly removed: readonly Orphan[]; readonly suspects: number }>;
  readonly readiness: NbReadiness;
  readonly cache: DbCache;
}

export function createNbNetwork(options: NbNetworkOptions): NbNetwork {
  const client = options.client;
  const bytes = options.randomBytes ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const ctx: NbContext = { router: options.router, nodeSwitch: options.nodeSwitch, nodeSwitchGateways: options.nodeSwitchGateways, newMac: () => randomMac(bytes) };
  const batcher = createBatcher({ client, logger: options.logger, timeoutMs: options.timeoutMs, ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }) });
  let suspects = new Set<string>();
  // Every table this model writes starts at 0, so the dashboard's rate()/increase() and the
  // alerts see the series from the first scrape, not only after the first repair or removal.
  for (const table of Object.keys(NB_TABLES)) {
    options.instruments?.ovnDriftRepairs.add(0, { table });
    options.instruments?.ovnGcRemovals.add(0, { table });
  }
  const submit = (key: string, build: Build) => batcher.submit(key, build);

  const builds = (desired: Desired): [string, Build][] => [
    ...desired.subnets.map((s): [string, Build] => [`subnet/${s.name}`, (tx, c) => ensureSubnetOps(tx, c, ctx, s)]),
    ...desired.nodes.map((n): [string, Build] => [`node/${n.node}`, (tx, c) => ensureNodeOps(tx, c, ctx, n)]),
    ...desired.pods.map((p): [string, Build] => [`port/${podPortName(p.pod, p.namespace)}`, (tx, c) => ensurePodPortOps(tx, c, p)]),
  ];

  const diff = (desired: Desired): Drift[] => {
    const out: Drift[] = [];
    const cache = client.cache;
    for (const [key, build] of [['router', (tx: Tx, c: DbCache) => ensureRouterOps(tx, c, ctx)] as [string, Build], ...builds(desired)]) {
      const tx = new Tx();
      if (build(tx, cache) === undefined && !tx.empty) out.push(...describeOperations(key, tx.operations(), cache));
    }
    return out;
  };

  return {
    get cache() {
      return client.cache;
    },
    ensureRouter: () => submit('router', (tx, c) => (ensureRouterOps(tx, c, ctx), undefined)),
    ensureSubnet: (spec) => submit(`subnet/${spec.name}`, (tx, c) => ensureSubnetOps(tx, c, ctx, spec)),
    deleteSubnet: (name) => submit(`subnet/${name}`, (tx, c) => (deleteSubnetOps(tx, c, ctx, name), undefined)),
    ensurePodPort: (spec) => submit(`port/${podPortName(spec.pod, spec.namespace)}`, (tx, c) => ensurePodPortOps(tx, c, spec)),
    deletePodPort: (pod, namespace) => submit(`port/${podPortName(pod, namespace)}`, (tx, c) => (deleteSwitchPortOps(tx, c, podPortName(pod, namespace)), undefined)),
    setPortGroups: (p, node) => submit(`pg/${podPortName(p.pod, p.namespace)}`, (tx, c) => setPortGroupsOps(tx, c, podPortName(p.pod, p.namespace), p.subnet, node)),
    ensureNode: (spec) => submit(`node/${spec.node}`, (tx, c) => ensureNodeOps(tx, c, ctx, spec)),
    deleteNode: (node) => submit(`node/${node}`, (tx, c) => (deleteNodeOps(tx, c, ctx, node), undefined)),
    diff,
    async repair(desired) {
      const drift = diff(desired);
      const keys = new Set(drift.map((d) => d.key));
      const results = await Promise.all(builds(desired).filter(([k]) => keys.has(k)).map(([k, b]) => submit(k, b)));
      for (const d of drift) options.instruments?.ovnDriftRepairs.add(1, { table: d.table });
      if (drift.length > 0) options.logger.info({ repaired: drift.length, sample: drift.slice(0, 5) }, 'northbound drift repaired');
      return { drift, failed: results.filter((r) => !r.ok).length };
    },
    async collectGarbage(owners) {
      const pass = gcPass(suspects, findOrphans(client.cache, ctx, owners));
      suspects = pass.suspects;
      if (pass.remove.length === 0) return { removed: [], suspects: suspects.size };
      const result = await submit('gc', (tx, c) => (removeOrphansOps(tx, c, ctx, pass.remove), undefined));
      if (!result.ok) {
        // Keep them suspected so the next pass retries instead of starting the two-pass count again.
        for (const o of pass.remove) suspects.add(o.uuid);
        return { removed: [], suspects: suspects.size };
      }
      for (const o of pass.remove) options.instruments?.ovnGcRemovals.add(1, { table: o.table });
      options.logger.info({ removed: pass.remove.map((o) => `${o.table} ${o.name}`) }, 'northbound garbage collected');
      return { removed: pass.remove, suspects: suspects.size };
    },
    readiness: {
      name: 'ovn-nb',
      run() {
        const s = client.status();
        if (s.synced) return { ok: true };
        return { ok: false, reason: s.connected ? 'northbound connected, cache not synced yet' : `northbound not connected: ${s.lastError ?? 'connecting'}` };
      },
    },
  };
}
