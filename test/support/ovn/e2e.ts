// Helpers for end-to-end tests of the built controller on a local OVN and the local API server:
// Node objects, a poller of pod annotations (what kube-ovn-cni reads), NB reads through ovn-nbctl.
import { BURST_LEASE_ARGS } from '../controller-process.js';
import type { ControllerProcess } from '../controller-process.js';
import { startReplica } from '../replica.js';
import type { KubeEnv } from '../kube-env.js';
import type { ApiClient, Obj } from '../objects.js';
import { PATHS } from '../objects.js';
import type { LocalOvn } from './local-ovn.js';

export const NODES_PATH = '/api/v1/nodes';

export function nodeObject(name: string, internalIp: string): Obj {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: internalIp }, { type: 'Hostname', address: name }] } };
}

/** Pod annotations by `ns/name`, refreshed from a list every `everyMs` (a stand-in for the CNI's pod GETs). */
export function podAnnotations(api: ApiClient, everyMs = 200) {
  const byKey = new Map<string, Record<string, string>>();
  let stopped = false;
  const refresh = async () => {
    const pods = await api.list(PATHS.pods());
    byKey.clear();
    for (const p of pods) byKey.set(`${p.metadata.namespace ?? ''}/${p.metadata.name}`, p.metadata.annotations ?? {});
  };
  const loop = async () => {
    while (!stopped) {
      await refresh().catch(() => undefined);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  void loop();
  return {
    get: (namespace: string, pod: string) => byKey.get(`${namespace}/${pod}`),
    all: (): [string, Record<string, string>][] => [...byKey.entries()],
    refresh,
    stop: () => void (stopped = true),
  };
}

/** `ovn-nbctl` on NB member `i` (`--no-leader-only`: any member of a raft NB answers reads). */
export function nbctl(ovn: LocalOvn, i = 0) {
  return (...args: string[]) => ovn.exec('ovn-nbctl', [`--db=${ovn.nb[i]?.unix ?? ''}`, '--no-leader-only', '--timeout=10', ...args]);
}

/** Names of every Logical_Switch_Port (duplicates kept, so a test can see them). */
export async function lspNames(ovn: LocalOvn, i = 0): Promise<string[]> {
  return (await nbctl(ovn, i)('--bare', '--columns=name', 'list', 'Logical_Switch_Port')).split('\n').map((s) => s.trim()).filter(Boolean);
}

export interface StartedController {
  readonly ctl: ControllerProcess;
  readonly healthPort: number;
}

/** The built controller on `kube` and `nbAddr`, with short intervals; resolves once /readyz is 200. */
export function startOvnController(kube: KubeEnv, name: string, nbAddr: string, extra: readonly string[] = [], readyMs = 30_000): Promise<StartedController> {
  return startReplica(kube, name, {
    args: [...BURST_LEASE_ARGS, '--worker-num=4', `--ovn-nb-addr=${nbAddr}`, ...extra],
    env: { OTEL_METRICS_EXPORTER: 'none', LOG_LEVEL: 'info' },
    readyTimeoutMs: readyMs,
  });
}

/** Duplicated names in a list. */
export function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) (seen.has(n) ? dup : seen).add(n);
  return [...dup];
}
