import type { Registry } from './registry.js';
import type { ResourceDef } from './types.js';

/** The Kubernetes version this double claims; kubectl's dispatcher on this machine ships 1.27-1.33. */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '70d3cc986aa8221cd1dfb1121852688902d3bf53',
  gitTreeState: 'clean',
  buildDate: '2024-12-11T17:59:15Z',
  goVersion: 'go1.23.3',
  compiler: 'gc',
  platform: 'linux/amd64',
} as const;

/** `/version` for a server claiming Kubernetes 1.<minor> (kubectl's dispatcher here picks kubectl.1.<minor>). */
export function serverVersion(minor?: number): Record<string, string> {
  if (minor === undefined) return { ...SERVER_VERSION };
  return { ...SERVER_VERSION, minor: String(minor), gitVersion: `v1.${minor}.0` };
}

export function apiVersions(hostPort: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: hostPort }] };
}

function groupEntry(registry: Registry, group: string): Record<string, unknown> {
  const versions = registry.versionsOf(group).map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(registry: Registry): Record<string, unknown> {
  const groups = registry.groups().filter((g) => g !== '').map((g) => groupEntry(registry, g));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(registry: Registry, group: string): Record<string, unknown> | undefined {
  if (group === '' || !registry.groups().includes(group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(registry, group) };
}

function resourceEntries(d: ResourceDef): Array<Record<string, unknown>> {
  const main: Record<string, unknown> = { name: d.plural, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: d.verbs };
  if (d.shortNames.length > 0) main['shortNames'] = d.shortNames;
  if (d.categories.length > 0) main['categories'] = d.categories;
  const out = [main];
  if (d.statusSubresource) out.push({ name: `${d.plural}/status`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: ['get', 'patch', 'update'] });
  if (d.subresources.includes('token')) out.push({ name: `${d.plural}/token`, singularName: '', namespaced: d.namespaced, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
  return out;
}

/** `/api/v1` or `/apis/<g>/<v>`; undefined when nothing is served there. */
export function apiResourceList(registry: Registry, group: string, version: string): Record<string, unknown> | undefined {
  const defs = registry.inGroupVersion(group, version);
  if (defs.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: defs.flatMap(resourceEntries),
  };
}
