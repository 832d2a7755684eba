// The RBAC authorizer's decision over plain objects, as k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac
// evaluates it: ClusterRoleBindings first, then (for namespaced requests) the namespace's RoleBindings;
// a rule allows when verb, API group, resource (with subresource) and resource name all match, or for
// non-resource requests when verb and URL match (`*` suffix = prefix match). No aggregation.
import { isObject } from './types.js';
import type { KubeObject } from './types.js';

/** Who asks. */
export interface UserInfo {
  readonly username: string;
  readonly groups: readonly string[];
}

/** What a request (or a SubjectAccessReview) asks to do. */
export type RequestAttributes =
  | { readonly kind: 'resource'; readonly verb: string; readonly group: string; readonly resource: string; readonly subresource: string; readonly namespace: string; readonly name: string }
  | { readonly kind: 'nonResource'; readonly verb: string; readonly path: string };

/** The RBAC objects to judge by (as stored). */
export interface RbacPolicy {
  readonly roles: readonly KubeObject[];
  readonly clusterRoles: readonly KubeObject[];
  readonly roleBindings: readonly KubeObject[];
  readonly clusterRoleBindings: readonly KubeObject[];
}

export interface Decision {
  readonly allowed: boolean;
  /** kube-apiserver's reason text when allowed (`RBAC: allowed by ...`), problems met when not. */
  readonly reason: string;
}

/** Groups that bypass RBAC, as kube-apiserver's privileged-group authorizer does. */
export const SUPERUSER_GROUP = 'system:masters';

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

function has(list: readonly string[], want: string): boolean {
  return list.includes('*') || list.includes(want);
}

function resourceMatches(rule: Record<string, unknown>, a: Extract<RequestAttributes, { kind: 'resource' }>): boolean {
  const combined = a.subresource === '' ? a.resource : `${a.resource}/${a.subresource}`;
  return strings(rule['resources']).some((r) => r === '*' || r === combined || (a.subresource !== '' && r === `*/${a.subresource}`));
}

function urlMatches(rule: Record<string, unknown>, path: string): boolean {
  return strings(rule['nonResourceURLs']).some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

/** Whether one PolicyRule allows the request. */
export function ruleAllows(rule: Record<string, unknown>, a: RequestAttributes): boolean {
  if (!has(strings(rule['verbs']), a.verb)) return false;
  if (a.kind === 'nonResource') return urlMatches(rule, a.path);
  if (!has(strings(rule['apiGroups']), a.group) || !resourceMatches(rule, a)) return false;
  const names = strings(rule['resourceNames']);
  return names.length === 0 || names.includes(a.name);
}

function subjectApplies(subject: Record<string, unknown>, user: UserInfo, bindingNamespace: string): boolean {
  const name = String(subject['name'] ?? '');
  switch (subject['kind']) {
    case 'User': return name === user.username;
    case 'Group': return user.groups.includes(name);
    case 'ServiceAccount': {
      const ns = typeof subject['namespace'] === 'string' && subject['namespace'] !== '' ? subject['namespace'] : bindingNamespace;
      return ns !== '' && user.username === `system:serviceaccount:${ns}:${name}`;
    }
    default: return false;
  }
}

function describeSubject(subject: Record<string, unknown>): string {
  const ns = typeof subject['namespace'] === 'string' && subject['namespace'] !== '' ? `${subject['namespace']}/` : '';
  return `${String(subject['kind'])} "${ns}${String(subject['name'])}"`;
}

interface BindingVisit {
  readonly binding: KubeObject;
  readonly subject: Record<string, unknown>;
  readonly role: KubeObject | undefined;
  readonly roleRef: Record<string, unknown>;
}

function* applicableBindings(policy: RbacPolicy, user: UserInfo, namespace: string): Generator<BindingVisit> {
  const visit = function* (bindings: readonly KubeObject[], bindingNs: string): Generator<BindingVisit> {
    for (const binding of bindings) {
      const roleRef = isObject(binding['roleRef']) ? binding['roleRef'] : {};
      const subjects = Array.isArray(binding['subjects']) ? binding['subjects'].filter(isObject) : [];
      const subject = subjects.find((s) => subjectApplies(s, user, bindingNs));
      if (subject === undefined) continue;
      const refName = String(roleRef['name'] ?? '');
      const role = roleRef['kind'] === 'Role'
        ? policy.roles.find((r) => r.metadata.namespace === bindingNs && r.metadata.name === refName)
        : policy.clusterRoles.find((r) => r.metadata.name === refName);
      yield { binding, subject, role, roleRef };
    }
  };
  yield* visit(policy.clusterRoleBindings, '');
  if (namespace !== '') yield* visit(policy.roleBindings.filter((b) => b.metadata.namespace === namespace), namespace);
}

/** The RBAC decision for `user` doing `attrs` under `policy`. */
export function authorize(policy: RbacPolicy, user: UserInfo, attrs: RequestAttributes): Decision {
  if (user.groups.includes(SUPERUSER_GROUP)) return { allowed: true, reason: '' };
  const namespace = attrs.kind === 'resource' ? attrs.namespace : '';
  const problems: string[] = [];
  for (const v of applicableBindings(policy, user, namespace)) {
    const refKind = String(v.roleRef['kind'] ?? '');
    const refName = String(v.roleRef['name'] ?? '');
    if (v.role === undefined) {
      problems.push(`${refKind === 'Role' ? 'role' : 'clusterrole'}.rbac.authorization.k8s.io "${refName}" not found`);
      continue;
    }
    const rules = Array.isArray(v.role['rules']) ? v.role['rules'].filter(isObject) : [];
    if (!rules.some((rule) => ruleAllows(rule, attrs))) continue;
    const where = v.binding.metadata.namespace === undefined ? `ClusterRoleBinding "${v.binding.metadata.name ?? ''}"` : `RoleBinding "${v.binding.metadata.name ?? ''}/${v.binding.metadata.namespace}"`;
    return { allowed: true, reason: `RBAC: allowed by ${where} of ${refKind} "${refName}" to ${describeSubject(v.subject)}` };
  }
  return { allowed: false, reason: problems.length === 0 ? '' : `RBAC: ${problems.join(', ')}` };
}

/** kube-apiserver's 403 text for a denied request. */
export function forbiddenMessage(user: UserInfo, a: RequestAttributes): string {
  if (a.kind === 'nonResource') return `forbidden: User "${user.username}" cannot ${a.verb} path "${a.path}"`;
  const what = a.subresource === '' ? `resource "${a.resource}"` : `resource "${a.resource}/${a.subresource}"`;
  const scope = a.namespace === '' ? 'at the cluster scope' : `in the namespace "${a.namespace}"`;
  const prefix = a.name === '' ? (a.group === '' ? a.resource : `${a.resource}.${a.group}`) : `${a.group === '' ? a.resource : `${a.resource}.${a.group}`} "${a.name}"`;
  return `${prefix} is forbidden: User "${user.username}" cannot ${a.verb} ${what} in API group "${a.group}" ${scope}`;
}
