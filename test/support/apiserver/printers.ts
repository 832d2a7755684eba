// Server-side printing of built-in kinds: the columns kube-apiserver's printers define (names, types,
// priority 1 = `-o wide` only) and their cells. kube-apiserver always sends the wide cells; kubectl hides them.
import { isObject } from './types.js';
import type { KubeObject } from './types.js';

export interface Column {
  readonly name: string;
  readonly type: string;
  readonly priority?: number;
  readonly cell: (obj: KubeObject, now: number) => unknown;
}

type Age = (t: unknown, now: number) => string;

function get(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const p of path) cur = isObject(cur) ? cur[p] : undefined;
  return cur;
}

function list(v: unknown): Array<Record<string, unknown>> {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

function str(v: unknown, none = '<none>'): string {
  return typeof v === 'string' && v !== '' ? v : none;
}

function count(v: unknown): number {
  return isObject(v) ? Object.keys(v).length : 0;
}

function podStatus(o: KubeObject): string {
  if (o.metadata.deletionTimestamp !== undefined) return 'Terminating';
  let reason = str(get(o, 'status', 'reason'), '') || str(get(o, 'status', 'phase'), '');
  for (const c of list(get(o, 'status', 'containerStatuses')).reverse()) {
    const waiting = str(get(c, 'state', 'waiting', 'reason'), '');
    const terminated = str(get(c, 'state', 'terminated', 'reason'), '');
    if (waiting !== '') reason = waiting;
    else if (terminated !== '') reason = terminated;
  }
  return reason;
}

function pods(age: Age): Column[] {
  const statuses = (o: KubeObject) => list(get(o, 'status', 'containerStatuses'));
  const gates = (o: KubeObject): string => {
    const wanted = list(get(o, 'spec', 'readinessGates'));
    if (wanted.length === 0) return '<none>';
    const conditions = list(get(o, 'status', 'conditions'));
    const ok = wanted.filter((g) => conditions.find((c) => c['type'] === g['conditionType'])?.['status'] === 'True').length;
    return `${ok}/${wanted.length}`;
  };
  return [
    { name: 'Ready', type: 'string', cell: (o) => `${statuses(o).filter((s) => s['ready'] === true && get(s, 'state', 'running') !== undefined).length}/${list(get(o, 'spec', 'containers')).length}` },
    { name: 'Status', type: 'string', cell: podStatus },
    { name: 'Restarts', type: 'string', cell: (o) => String(statuses(o).reduce((n, s) => n + Number(s['restartCount'] ?? 0), 0)) },
    { name: 'Age', type: 'string', cell: (o, now) => age(o.metadata.creationTimestamp, now) },
    { name: 'IP', type: 'string', priority: 1, cell: (o) => str(list(get(o, 'status', 'podIPs'))[0]?.['ip'] ?? get(o, 'status', 'podIP')) },
    { name: 'Node', type: 'string', priority: 1, cell: (o) => str(get(o, 'spec', 'nodeName')) },
    { name: 'Nominated Node', type: 'string', priority: 1, cell: (o) => str(get(o, 'status', 'nominatedNodeName')) },
    { name: 'Readiness Gates', type: 'string', priority: 1, cell: gates },
  ];
}

function nodes(age: Age): Column[] {
  const address = (o: KubeObject, type: string) => str(list(get(o, 'status', 'addresses')).find((a) => a['type'] === type)?.['address']);
  const status = (o: KubeObject): string => {
    const ready = list(get(o, 'status', 'conditions')).find((c) => c['type'] === 'Ready');
    const base = ready === undefined ? 'Unknown' : ready['status'] === 'True' ? 'Ready' : 'NotReady';
    return get(o, 'spec', 'unschedulable') === true ? `${base},SchedulingDisabled` : base;
  };
  const roles = (o: KubeObject): string => {
    const labels = o.metadata.labels ?? {};
    const found = Object.keys(labels).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length)).filter((r) => r !== '');
    if (typeof labels['kubernetes.io/role'] === 'string' && labels['kubernetes.io/role'] !== '') found.push(labels['kubernetes.io/role']);
    return found.length === 0 ? '<none>' : [...new Set(found)].sort().join(',');
  };
  const info = (k: string) => (o: KubeObject) => str(get(o, 'status', 'nodeInfo', k), '<unknown>');
  return [
    { name: 'Status', type: 'string', cell: status },
    { name: 'Roles', type: 'string', cell: roles },
    { name: 'Age', type: 'string', cell: (o, now) => age(o.metadata.creationTimestamp, now) },
    { name: 'Version', type: 'string', cell: (o) => str(get(o, 'status', 'nodeInfo', 'kubeletVersion'), '') },
    { name: 'Internal-IP', type: 'string', priority: 1, cell: (o) => address(o, 'InternalIP') },
    { name: 'External-IP', type: 'string', priority: 1, cell: (o) => address(o, 'ExternalIP') },
    { name: 'OS-Image', type: 'string', priority: 1, cell: info('osImage') },
    { name: 'Kernel-Version', type: 'string', priority: 1, cell: info('kernelVersion') },
    { name: 'Container-Runtime', type: 'string', priority: 1, cell: info('containerRuntimeVersion') },
  ];
}

/** Event columns come first (kube's event printer has no leading Name; it is a wide column). */
function events(age: Age): Column[] {
  const lastSeen = (o: KubeObject, now: number): string => {
    const t = get(o, 'series', 'lastObservedTime') ?? get(o, 'lastTimestamp') ?? get(o, 'eventTime') ?? get(o, 'firstTimestamp');
    return age(t, now);
  };
  const object = (o: KubeObject): string => `${String(get(o, 'involvedObject', 'kind') ?? '').toLowerCase()}/${String(get(o, 'involvedObject', 'name') ?? '')}`;
  const source = (o: KubeObject): string => {
    const c = str(get(o, 'source', 'component'), '') || str(get(o, 'reportingComponent'), '');
    const host = str(get(o, 'source', 'host'), '') || str(get(o, 'reportingInstance'), '');
    return host === '' ? c : `${c}, ${host}`;
  };
  return [
    { name: 'Last Seen', type: 'string', cell: lastSeen },
    { name: 'Type', type: 'string', cell: (o) => str(get(o, 'type'), '') },
    { name: 'Reason', type: 'string', cell: (o) => str(get(o, 'reason'), '') },
    { name: 'Object', type: 'string', cell: object },
    { name: 'Subobject', type: 'string', priority: 1, cell: (o) => str(get(o, 'involvedObject', 'fieldPath'), '') },
    { name: 'Source', type: 'string', priority: 1, cell: source },
    { name: 'Message', type: 'string', cell: (o) => String(get(o, 'message') ?? '').trim() },
    { name: 'First Seen', type: 'string', priority: 1, cell: (o, now) => age(get(o, 'firstTimestamp') ?? get(o, 'eventTime'), now) },
    { name: 'Count', type: 'string', priority: 1, cell: (o) => String(get(o, 'series', 'count') ?? get(o, 'count') ?? 1) },
    { name: 'Name', type: 'string', priority: 1, cell: (o) => o.metadata.name ?? '' },
  ];
}

function bindings(age: Age): Column[] {
  const subjects = (o: KubeObject, kind: string, withNs: boolean): string => {
    const names = list(get(o, 'subjects')).filter((s) => s['kind'] === kind).map((s) => (withNs ? `${String(s['namespace'] ?? '')}/${String(s['name'])}` : String(s['name'])));
    return names.join(', ');
  };
  return [
    { name: 'Role', type: 'string', cell: (o) => `${String(get(o, 'roleRef', 'kind') ?? '')}/${String(get(o, 'roleRef', 'name') ?? '')}` },
    { name: 'Age', type: 'string', cell: (o, now) => age(o.metadata.creationTimestamp, now) },
    { name: 'Users', type: 'string', priority: 1, cell: (o) => subjects(o, 'User', false) },
    { name: 'Groups', type: 'string', priority: 1, cell: (o) => subjects(o, 'Group', false) },
    { name: 'ServiceAccounts', type: 'string', priority: 1, cell: (o) => subjects(o, 'ServiceAccount', true) },
  ];
}

function deployments(age: Age): Column[] {
  const containers = (o: KubeObject) => list(get(o, 'spec', 'template', 'spec', 'containers'));
  const selector = (o: KubeObject): string => {
    const labels = get(o, 'spec', 'selector', 'matchLabels');
    return isObject(labels) ? Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`).join(',') : '<none>';
  };
  return [
    { name: 'Ready', type: 'string', cell: (o) => `${Number(get(o, 'status', 'readyReplicas') ?? 0)}/${Number(get(o, 'spec', 'replicas') ?? 1)}` },
    { name: 'Up-to-date', type: 'string', cell: (o) => Number(get(o, 'status', 'updatedReplicas') ?? 0) },
    { name: 'Available', type: 'string', cell: (o) => Number(get(o, 'status', 'availableReplicas') ?? 0) },
    { name: 'Age', type: 'string', cell: (o, now) => age(o.metadata.creationTimestamp, now) },
    { name: 'Containers', type: 'string', priority: 1, cell: (o) => containers(o).map((c) => String(c['name'])).join(',') },
    { name: 'Images', type: 'string', priority: 1, cell: (o) => containers(o).map((c) => String(c['image'])).join(',') },
    { name: 'Selector', type: 'string', priority: 1, cell: selector },
  ];
}

function services(age: Age): Column[] {
  const ports = (o: KubeObject): string => {
    const p = list(get(o, 'spec', 'ports')).map((x) => (Number(x['nodePort'] ?? 0) > 0 ? `${String(x['port'])}:${String(x['nodePort'])}/${String(x['protocol'] ?? 'TCP')}` : `${String(x['port'])}/${String(x['protocol'] ?? 'TCP')}`));
    return p.length === 0 ? '<none>' : p.join(',');
  };
  const external = (o: KubeObject): string => {
    const ips = get(o, 'spec', 'externalIPs');
    const type = get(o, 'spec', 'type') ?? 'ClusterIP';
    if (Array.isArray(ips) && ips.length > 0) return ips.join(',');
    return type === 'LoadBalancer' ? '<pending>' : type === 'ExternalName' ? String(get(o, 'spec', 'externalName') ?? '') : '<none>';
  };
  return [
    { name: 'Type', type: 'string', cell: (o) => String(get(o, 'spec', 'type') ?? 'ClusterIP') },
    { name: 'Cluster-IP', type: 'string', cell: (o) => str((get(o, 'spec', 'clusterIPs') as unknown[] | undefined)?.[0] ?? get(o, 'spec', 'clusterIP')) },
    { name: 'External-IP', type: 'string', cell: external },
    { name: 'Port(s)', type: 'string', cell: ports },
    { name: 'Age', type: 'string', cell: (o, now) => age(o.metadata.creationTimestamp, now) },
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => { const s = get(o, 'spec', 'selector'); return isObject(s) ? Object.entries(s).map(([k, v]) => `${k}=${String(v)}`).join(',') : '<none>'; } },
  ];
}

/** Columns after Name for a built-in resource (`plural.group`), or undefined for the default printer. */
export function builtinColumns(resource: string, age: Age): Column[] | undefined {
  const ageColumn: Column = { name: 'Age', type: 'string', cell: (o, now) => age(o.metadata.creationTimestamp, now) };
  const createdAt: Column = { name: 'Created At', type: 'date', cell: (o) => o.metadata.creationTimestamp ?? '' };
  switch (resource) {
    case 'pods': return pods(age);
    case 'nodes': return nodes(age);
    case 'namespaces': return [{ name: 'Status', type: 'string', cell: (o) => String(get(o, 'status', 'phase') ?? '') }, ageColumn];
    case 'events':
    case 'events.events.k8s.io': return events(age);
    case 'leases.coordination.k8s.io': return [{ name: 'Holder', type: 'string', cell: (o) => String(get(o, 'spec', 'holderIdentity') ?? '') }, ageColumn];
    case 'serviceaccounts': return [{ name: 'Secrets', type: 'string', cell: (o) => list(get(o, 'secrets')).length }, ageColumn];
    case 'configmaps': return [{ name: 'Data', type: 'string', cell: (o) => count(get(o, 'data')) + count(get(o, 'binaryData')) }, ageColumn];
    case 'secrets': return [{ name: 'Type', type: 'string', cell: (o) => String(get(o, 'type') ?? '') }, { name: 'Data', type: 'string', cell: (o) => count(get(o, 'data')) }, ageColumn];
    case 'services': return services(age);
    case 'deployments.apps': return deployments(age);
    case 'roles.rbac.authorization.k8s.io':
    case 'clusterroles.rbac.authorization.k8s.io': return [{ ...createdAt, type: 'string' }];
    case 'rolebindings.rbac.authorization.k8s.io':
    case 'clusterrolebindings.rbac.authorization.k8s.io': return bindings(age);
    default: return undefined;
  }
}

/** Kinds kube prints with a leading Name column (all but events, whose Name is a wide column). */
export function hasNameColumn(resource: string): boolean {
  return resource !== 'events' && resource !== 'events.events.k8s.io';
}
