// The one set of object builders, plus a tiny JSON client for tests that seed or inspect the
// local API server directly. Objects are plain `KubeObject`s, so they go through the
// controller's own client as well.

export interface Meta {
  [key: string]: unknown;
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
}

export interface Obj {
  [key: string]: unknown;
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export function podObject(namespace: string, name: string, options: { annotations?: Record<string, string>; nodeName?: string; hostNetwork?: boolean; restartPolicy?: string } = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, annotations: options.annotations ?? {} },
    spec: {
      nodeName: options.nodeName ?? 'node-1',
      ...(options.hostNetwork === true ? { hostNetwork: true } : {}),
      ...(options.restartPolicy === undefined ? {} : { restartPolicy: options.restartPolicy }),
      containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }],
    },
  };
}

export function subnetObject(name: string, spec: Record<string, unknown>): Obj {
  return { apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name }, spec };
}

export function namespaceObject(name: string): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export const PATHS = {
  pods: (ns?: string) => (ns === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${ns}/pods`),
  namespaces: '/api/v1/namespaces',
  subnets: '/apis/kubeovn.io/v1/subnets',
  ips: '/apis/kubeovn.io/v1/ips',
  events: (ns?: string) => (ns === undefined ? '/api/v1/events' : `/api/v1/namespaces/${ns}/events`),
} as const;

/** JSON over HTTP to the local API server; throws on any non-2xx unless `allow` lists the code. */
export function apiClient(base: string) {
  const call = async <T>(method: string, path: string, body?: unknown, allow: readonly number[] = []): Promise<T> => {
    const res = await fetch(base + path, {
      method,
      headers: { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok && !allow.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    return json;
  };
  return {
    create: (path: string, obj: Obj) => call<Obj>('POST', path, obj),
    get: (path: string) => call<Obj>('GET', path),
    list: async (path: string) => (await call<{ items: Obj[] }>('GET', path)).items,
    patch: (path: string, patch: unknown) => call<Obj>('PATCH', path, patch),
    delete: (path: string) => call<Obj>('DELETE', path, undefined, [404]),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export const ANN = {
  allocated: 'ovn.kubernetes.io/allocated',
  ip: 'ovn.kubernetes.io/ip_address',
  mac: 'ovn.kubernetes.io/mac_address',
  cidr: 'ovn.kubernetes.io/cidr',
  gateway: 'ovn.kubernetes.io/gateway',
  ls: 'ovn.kubernetes.io/logical_switch',
} as const;

/** Every address of every allocated, live pod; throws naming the pods when one address is held twice. */
export function assertUniqueAddresses(pods: readonly Obj[]): Map<string, string> {
  const holder = new Map<string, string>();
  for (const p of pods) {
    const a = p.metadata.annotations ?? {};
    if (a[ANN.allocated] !== 'true') continue;
    for (const ip of (a[ANN.ip] ?? '').split(',').filter((x) => x !== '')) {
      const key = `${p.metadata.namespace}/${p.metadata.name}`;
      const other = holder.get(ip);
      if (other !== undefined) throw new Error(`address ${ip} held by both ${other} and ${key}`);
      holder.set(ip, key);
    }
  }
  return holder;
}
