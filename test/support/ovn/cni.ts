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
  /** Binds `ovn0` of the chassis to `node-<node>` and waits for ovn-installed. */
  addNode(node: string): Promise<void>;
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
    async addNode(node) {
      await plug('ovn0', `node-${node}`);
    },
  };
}

/** Runs `ovn-trace` on the local SB; resolves its full output. */
export async function ovnTrace(ovn: LocalOvn, datapath: string, microflow: string): Promise<string> {
  if (ovn.sb === undefined) throw new Error('ovn-trace needs a full local OVN');
  return ovn.exec('ovn-trace', [`--db=${ovn.sb.unix}`, '--no-leader-only', datapath, microflow]);
}

/** The logical ports a trace outputs to, in order. */
export function traceOutputs(trace: string): string[] {
  return [...trace.matchAll(/output to "([^"]+)"/g)].map((m) => m[1] as string);
}
