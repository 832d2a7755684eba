import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { defFromCrd } from './registry.js';
import type { Registry } from './registry.js';
import type { Store } from './store.js';
import { isObject } from './types.js';
import type { KubeObject } from './types.js';

const CRD_KEY = 'customresourcedefinitions.apiextensions.k8s.io';

interface StateFile {
  readonly resourceVersion: number;
  readonly resources: Record<string, KubeObject[]>;
}

/** Writes every stored object and the RV (atomically, via a temp file). */
export async function saveState(store: Store, path: string): Promise<void> {
  const resources: Record<string, KubeObject[]> = {};
  for (const resource of store.resources()) resources[resource] = [...store.list(resource)].map(([, o]) => o);
  const state: StateFile = { resourceVersion: store.resourceVersion, resources };
  await writeFile(`${path}.tmp`, JSON.stringify(state));
  await rename(`${path}.tmp`, path);
}

/** Loads a saved state into an empty store; CRDs first so their resources are served. Missing file = no-op. */
export async function loadState(store: Store, registry: Registry, path: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const state = JSON.parse(text) as StateFile;
  for (const crd of state.resources[CRD_KEY] ?? []) registry.add(defFromCrd(crd));
  for (const [resource, objects] of Object.entries(state.resources)) for (const o of objects) store.restore(resource, o);
  store.restoreRv(state.resourceVersion);
  return true;
}

/** The objects in a YAML/JSON file (multi-document YAML, or a `List`). */
export async function readManifests(path: string): Promise<KubeObject[]> {
  const text = await readFile(path, 'utf8');
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    const value: unknown = doc.toJS();
    if (isObject(value) && Array.isArray(value['items'])) out.push(...(value['items'].filter(isObject) as KubeObject[]));
    else if (isObject(value)) out.push(value as KubeObject);
  }
  return out;
}
