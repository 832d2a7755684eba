import { createHash } from 'node:crypto';
import type { LocalOvn } from './local-ovn.js';

/**
 * A double of kube-ovn-cni's wait loop on the local OVN: it waits for the controller's
 * annotations, plugs a dummy OVS interface named after the logical port, and waits for
 * ovn-controller to set `ovn-installed` (what the real CNI waits 30 s for).
 */
export interface CniDouble {
  /** For one scheduled pod; resolves when `ovn-installed=true`, rejects naming what it waited for. */
  addPod(pod: string, namespace: string, annotations: () => Readonly<Record<string, string>> | undefined): Promise<{ readonly ifname: string; readonly ms: number }>;
  /** Removes the pod's interface. */
  delPod(pod: string, namespace: string): Promise<void>;
  /**
   * Binds `ovn0` of the chassis to `node-<node>` and waits for ovn-installed. The local OVN is one
   * chassis, so a second node's "ovn0" needs another interface name (`ifname`).
   */
  addNode(node: string, ifname?: string): Promise<void>;
  /**
   * The same for many pods at once, as many CNI invocations on their nodes would: each pod is
   * plugged once its annotations say `routed`, in batches of one ovs-vsctl call, and
   * `ovn-installed` is read for all interfaces with one call per poll. Resolves each pod's ms
   * from the call to ovn-installed; rejects naming the pods that never got there.
   */
  addPods(pods: readonly { readonly pod: string; readonly namespace: string }[], annotations: (namespace: string, pod: string) => Readonly<Record<string, string>> | undefined, timeoutMs?: number): Promise<Map<string, number>>;
  /** Interface names with `ovn-installed=true` now. */
  installed(): Promise<Set<string>>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function poll<T>(what: string, timeoutMs: number, intervalMs: number, f: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`CNI double: gave up waiting ${timeoutMs} ms for ${what}`);
    await sleep(intervalMs);
  }
}

function ifnameOf(port: string): string {
  return `v${createHash('sha1').update(port).digest('hex').slice(0, 12)}`;
}

export function createCniDouble(ovn: LocalOvn): CniDouble {
  if (ovn.ovsSocket === undefined) throw new Error('CNI double needs a full local OVN (startLocalOvn({ full: true }))');
  const vsctl = (...args: string[]) => ovn.exec('ovs-vsctl', [`--db=unix:${ovn.ovsSocket}`, '--timeout=10', ...args]);
  const installed = async (ifname: string) => (await vsctl('--if-exists', 'get', 'interface', ifname, 'external_ids:ovn-installed').catch(() => '')).trim() === '"true"';
  const plug = async (ifname: string, port: string) => {
    await vsctl('--may-exist', 'add-port', 'br-int', ifname, '--', 'set', 'interface', ifname, 'type=dummy', `external_ids:iface-id=${port}`);
    await poll(`ovn-installed on ${ifname} (iface-id ${port})`, 30_000, 100, async () => ((await installed(ifname)) ? true : undefined));
  };
  return {
    async addPod(pod, namespace, annotations) {
      const start = Date.now();
      // kube-ovn-cni: 20 tries 1 s apart for the address, then for routed; polled faster here.
      await poll(`${namespace}/${pod} ovn.kubernetes.io/ip_address`, 20_000, 50, () => (annotations()?.['ovn.kubernetes.io/ip_address'] ? true : undefined));
      await poll(`${namespace}/${pod} ovn.kubernetes.io/routed`, 20_000, 50, () => (annotations()?.['ovn.kubernetes.io/routed'] === 'true' ? true : undefined));
      const port = `${pod}.${namespace}`;
      const ifname = ifnameOf(port);
      await plug(ifname, port);
      return { ifname, ms: Date.now() - start };
    },
    async delPod(pod, namespace) {
      await vsctl('--if-exists', 'del-port', 'br-int', ifnameOf(`${pod}.${namespace}`));
    },
    async addNode(node, ifname = 'ovn0') {
      await plug(ifname, `node-${node}`);
    },
    installed: () => installedSet(vsctl),
    addPods: (pods, annotations, timeoutMs = 60_000) => addPods(vsctl, pods, annotations, timeoutMs),
  };
}

type Vsctl = (...args: string[]) => Promise<string>;

async function installedSet(vsctl: Vsctl): Promise<Set<string>> {
  const out = await vsctl('--format=csv', '--data=bare', '--no-headings', '--columns=name,external_ids', 'list', 'interface');
  return new Set(out.split('\n').filter((l) => l.includes('ovn-installed=true')).map((l) => l.slice(0, l.indexOf(','))));
}

async function addPods(vsctl: Vsctl, pods: readonly { pod: string; namespace: string }[], annotations: (namespace: string, pod: string) => Readonly<Record<string, string>> | undefined, timeoutMs: number): Promise<Map<string, number>> {
  const start = Date.now();
  const waiting = new Map(pods.map((p) => [`${p.pod}.${p.namespace}`, p]));
  const plugged = new Map<string, string>(); // ifname -> port
  const done = new Map<string, number>();
  while (done.size < pods.length) {
    if (Date.now() - start > timeoutMs) {
      const missing = pods.map((p) => `${p.pod}.${p.namespace}`).filter((port) => !done.has(port));
      throw new Error(`CNI double: ${missing.length} pod(s) not ovn-installed within ${timeoutMs} ms (${[...waiting.keys()].length} never routed), e.g. ${missing.slice(0, 5).join(', ')}`);
    }
    const ready = [...waiting.entries()].filter(([, p]) => annotations(p.namespace, p.pod)?.['ovn.kubernetes.io/routed'] === 'true');
    for (let i = 0; i < ready.length; i += 100) {
      const args = ready.slice(i, i + 100).flatMap(([port]) => ['--', '--may-exist', 'add-port', 'br-int', ifnameOf(port), '--', 'set', 'interface', ifnameOf(port), 'type=dummy', `external_ids:iface-id=${port}`]);
      await vsctl(...args.slice(1));
    }
    for (const [port] of ready) {
      waiting.delete(port);
      plugged.set(ifnameOf(port), port);
    }
    if (plugged.size > 0) {
      const installed = await installedSet(vsctl);
      for (const [ifname, port] of plugged) {
        if (!installed.has(ifname)) continue;
        done.set(port, Date.now() - start);
        plugged.delete(ifname);
      }
    }
    if (done.size < pods.length) await sleep(200);
  }
  return done;
}

/** The interface the CNI double plugs for logical port `port`. */
export { ifnameOf };

/** Runs `ovn-trace` on the local SB; resolves its full output. */
export async function ovnTrace(ovn: LocalOvn, datapath: string, microflow: string): Promise<string> {
  if (ovn.sb === undefined) throw new Error('ovn-trace needs a full local OVN');
  return ovn.exec('ovn-trace', [`--db=${ovn.sb.unix}`, '--no-leader-only', datapath, microflow]);
}

/** The logical ports a trace outputs to, in order. */
export function traceOutputs(trace: string): string[] {
  return [...trace.matchAll(/output to "([^"]+)"/g)].map((m) => m[1] as string);
}
