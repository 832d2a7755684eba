import { ApiError } from '../../../src/kube/client/index.js';
import type { KubeClient, KubeObject } from '../../../src/kube/client/index.js';

/**
 * An in-memory Lease API with kube-apiserver's resourceVersion rules (409 on a stale PUT,
 * 409 AlreadyExists on create). `mode` simulates outages: `error` answers 500, `hang`
 * never answers until the request's signal aborts, `wedge` never answers at all.
 */
export function createFakeLeases() {
  let stored: KubeObject | undefined;
  let rv = 0;
  let mode: 'ok' | 'error' | 'hang' | 'wedge' = 'ok';
  let conflicts = 0;
  const writes: KubeObject[] = [];
  let gets = 0;
  const gate = (signal?: AbortSignal): Promise<void> => {
    if (mode === 'error') return Promise.reject(new ApiError(500, 'InternalError', 'etcd unavailable'));
    // A wedged request ignores its signal: the renew loop itself is stuck.
    if (mode === 'wedge') return new Promise(() => {});
    if (mode === 'hang') {
      return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    }
    return Promise.resolve();
  };
  const copy = <T>(value: T): T => structuredClone(value);
  const client: Pick<KubeClient, 'get' | 'create' | 'replace'> = {
    async get<T extends KubeObject>(_r: unknown, name: string, o: { signal?: AbortSignal } = {}): Promise<T> {
      gets += 1;
      await gate(o.signal);
      if (stored === undefined) throw new ApiError(404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`);
      return copy(stored) as T;
    },
    async create<T extends KubeObject>(_r: unknown, obj: T, o: { signal?: AbortSignal } = {}): Promise<T> {
      await gate(o.signal);
      if (stored !== undefined) throw new ApiError(409, 'AlreadyExists', 'already exists');
      rv += 1;
      stored = { ...copy(obj), metadata: { ...obj.metadata, resourceVersion: String(rv) } };
      writes.push(copy(stored));
      return copy(stored) as T;
    },
    async replace<T extends KubeObject>(_r: unknown, obj: T, o: { signal?: AbortSignal } = {}): Promise<T> {
      await gate(o.signal);
      if (stored === undefined) throw new ApiError(404, 'NotFound', 'not found');
      if (conflicts > 0) {
        conflicts -= 1;
        throw new ApiError(409, 'Conflict', 'the object has been modified');
      }
      if (obj.metadata.resourceVersion !== stored.metadata.resourceVersion) throw new ApiError(409, 'Conflict', 'the object has been modified');
      rv += 1;
      stored = { ...copy(obj), metadata: { ...obj.metadata, resourceVersion: String(rv) } };
      writes.push(copy(stored));
      return copy(stored) as T;
    },
  };
  return {
    client,
    writes,
    /** How many GETs were asked. */
    gets: () => gets,
    spec: () => stored?.['spec'] as Record<string, unknown> | undefined,
    setMode(next: 'ok' | 'error' | 'hang' | 'wedge'): void {
      mode = next;
    },
    /** The next `n` replaces answer 409 Conflict, as if another writer raced us. */
    conflictNext(n: number): void {
      conflicts = n;
    },
    /** Another replica writes the lease (bumping the resourceVersion). */
    overwrite(spec: Record<string, unknown>): void {
      rv += 1;
      stored = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kube-ovn-controller', namespace: 'kube-system', resourceVersion: String(rv) }, spec };
    },
  };
}
