// @peculiar/x509 resolves its algorithm providers through tsyringe, which refuses to load unless
// a Reflect metadata API exists (the README asks for `reflect-metadata`, which is not installed).
// tsyringe calls only getMetadata, getOwnMetadata and defineMetadata; tslib's decorator helper
// also uses `metadata` when present. This is that much of the proposal, on a WeakMap, installed
// only when no polyfill is there already. Imported before @peculiar/x509 (ESM evaluates in order).

type Key = unknown;
type Target = object;
const store = new WeakMap<Target, Map<PropertyKey | undefined, Map<Key, unknown>>>();

function own(target: Target, property: PropertyKey | undefined, create: boolean): Map<Key, unknown> | undefined {
  let byProperty = store.get(target);
  if (byProperty === undefined) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let map = byProperty.get(property);
  if (map === undefined && create) {
    map = new Map();
    byProperty.set(property, map);
  }
  return map;
}

function lookup(key: Key, target: Target, property?: PropertyKey): unknown {
  for (let t: Target | null = target; t !== null; t = Object.getPrototypeOf(t) as Target | null) {
    const map = own(t, property, false);
    if (map?.has(key) === true) return map.get(key);
  }
  return undefined;
}

const api = {
  defineMetadata: (key: Key, value: unknown, target: Target, property?: PropertyKey): void => void own(target, property, true)?.set(key, value),
  getOwnMetadata: (key: Key, target: Target, property?: PropertyKey): unknown => own(target, property, false)?.get(key),
  getMetadata: lookup,
  hasMetadata: (key: Key, target: Target, property?: PropertyKey): boolean => lookup(key, target, property) !== undefined,
  metadata: (key: Key, value: unknown) => (target: Target, property?: PropertyKey): void => api.defineMetadata(key, value, target, property),
};

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect['getMetadata'] !== 'function') {
  for (const [name, fn] of Object.entries(api)) reflect[name] = fn;
}

export {};
