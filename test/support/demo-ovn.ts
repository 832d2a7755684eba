// The demo's OVN side: a whole local OVN (NB, SB, northd, ovs-vswitchd on the dummy datapath,
// ovn-controller) and the CNI double standing in for kube-ovn-cni on node-1, plugging every pod
// the controller marks routed; or, where the OVN binaries are missing, a loud IPAM-only notice.
import { apiClient } from './objects.js';
import { createCniDouble, ifnameOf } from './ovn/cni.js';
import type { CniDouble } from './ovn/cni.js';
import { lspNames, podAnnotations } from './ovn/e2e.js';
import { ovnMissing, startLocalOvn } from './ovn/local-ovn.js';
import type { LocalOvn } from './ovn/local-ovn.js';

export interface DemoOvn {
  /** Flags for the controller: `--ovn-nb-addr=...`, or none (IPAM-only). */
  readonly args: readonly string[];
  /** Undefined while on; why it is off otherwise (for the summary). */
  readonly off: string | undefined;
  /** A command to look at the northbound (empty while off). */
  readonly nbctl: string;
  /** Starts plugging pods as kube-ovn-cni would, once the controller runs. */
  startCni(apiUrl: string): void;
  /** Per pod `ns/name`: its logical port if NB has it, and whether ovn-installed is set. */
  status(): Promise<Map<string, { port: string | undefined; installed: boolean }>>;
  stop(): Promise<void>;
  killNow(): void;
}

export async function startDemoOvn(log: (line: string) => void): Promise<DemoOvn> {
  const missing = ovnMissing();
  if (missing !== undefined) {
    log(`\n*** OVN binaries not found: ${missing}.\n*** The demo runs IPAM-ONLY: pods get addresses and annotations, but no logical switch port and never ovn.kubernetes.io/routed.\n*** Install them (sudo apt-get install ovn-central ovn-host openvswitch-switch) to see pods reach ovn-installed.\n`);
    return { args: [], off: missing, nbctl: '', startCni: () => {}, status: async () => new Map(), stop: async () => {}, killNow: () => {} };
  }
  const ovn: LocalOvn = await startLocalOvn({ full: true, ownProcessGroup: true });
  const cni: CniDouble = createCniDouble(ovn);
  let poller: ReturnType<typeof podAnnotations> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const plugged = new Set<string>();
  const tick = (): void => {
    if (poller === undefined) return;
    const pods = poller.all().filter(([key, a]) => a['ovn.kubernetes.io/routed'] === 'true' && !plugged.has(key));
    for (const [key] of pods) plugged.add(key);
    const list = pods.map(([key]) => ({ namespace: key.slice(0, key.indexOf('/')), pod: key.slice(key.indexOf('/') + 1) }));
    if (list.length > 0) void cni.addPods(list, (ns, pod) => poller?.get(ns, pod), 60_000).catch((err: unknown) => log(`CNI double: ${String(err)}`));
  };
  return {
    args: [`--ovn-nb-addr=${ovn.nbAddr}`, '--inspect-interval=10s', '--gc-interval=60s'],
    off: undefined,
    nbctl: `ovn-nbctl --db=${ovn.nb[0]?.unix ?? ''}`,
    startCni(apiUrl) {
      poller = podAnnotations(apiClient(apiUrl), 500);
      void cni.addNode('node-1').catch((err: unknown) => log(`CNI double: node-1 ovn0: ${String(err)}`));
      timer = setInterval(tick, 500);
    },
    async status() {
      const [ports, installed] = await Promise.all([lspNames(ovn).then((n) => new Set(n)), cni.installed()]);
      const out = new Map<string, { port: string | undefined; installed: boolean }>();
      for (const [key] of poller?.all() ?? []) {
        const port = `${key.slice(key.indexOf('/') + 1)}.${key.slice(0, key.indexOf('/'))}`;
        out.set(key, { port: ports.has(port) ? port : undefined, installed: installed.has(ifnameOf(port)) });
      }
      return out;
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      poller?.stop();
      await ovn.stop();
    },
    killNow: () => ovn.killNow(),
  };
}
