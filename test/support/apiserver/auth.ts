import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors.js';
import { KUBECONFIG_TOKEN } from './kubeconfig.js';
import { SUPERUSER_GROUP, authorize, forbiddenMessage } from './rbac.js';
import type { RbacPolicy, RequestAttributes, UserInfo } from './rbac.js';
import type { Store } from './store.js';
import { API_AUDIENCE, TokenIssuer } from './tokens.js';
import type { ResourceDef } from './types.js';

/** Who the kubeconfig's token (and, for the tests' convenience, a request without credentials) is. */
export const ADMIN: UserInfo = { username: 'kubernetes-admin', groups: [SUPERUSER_GROUP, 'system:authenticated'] };

export type Authentication = { ok: true; user: UserInfo; uid: string; audiences: string[] } | { ok: false; error: string };

/** The groups kube-apiserver gives a ServiceAccount's user. */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'];
}

export function rbacPolicy(store: Store): RbacPolicy {
  const all = (resource: string) => [...store.list(`${resource}.rbac.authorization.k8s.io`)].map(([, o]) => o);
  return { roles: all('roles'), clusterRoles: all('clusterroles'), roleBindings: all('rolebindings'), clusterRoleBindings: all('clusterrolebindings') };
}

/**
 * Authenticates ServiceAccount tokens as kube-apiserver's service account authenticator does:
 * signature and expiry, audience overlap, and the ServiceAccount still existing with the uid
 * the token names (a deleted and re-created account invalidates its old tokens).
 */
export function authenticateToken(store: Store, issuer: TokenIssuer, token: string, audiences: readonly string[] = []): Authentication {
  if (token === KUBECONFIG_TOKEN) return { ok: true, user: ADMIN, uid: '', audiences: [API_AUDIENCE] };
  const verified = issuer.verify(token);
  if (!verified.ok) return { ok: false, error: `[${verified.error}]` };
  const { claims } = verified;
  const wanted = audiences.length > 0 ? audiences : [API_AUDIENCE];
  const overlap = wanted.filter((a) => claims.aud.includes(a));
  if (overlap.length === 0) return { ok: false, error: `[invalid bearer token, token audiences ${JSON.stringify(claims.aud)} is invalid for the target audiences ${JSON.stringify(wanted)}]` };
  const { namespace, serviceaccount } = claims['kubernetes.io'];
  const sa = store.get('serviceaccounts', namespace, serviceaccount.name);
  if (sa === undefined) return { ok: false, error: `[invalid bearer token, serviceaccounts "${serviceaccount.name}" not found]` };
  if (sa.metadata.uid !== serviceaccount.uid) {
    return { ok: false, error: `[invalid bearer token, service account UID (${serviceaccount.uid}) does not match claim (${sa.metadata.uid ?? ''})]` };
  }
  return { ok: true, user: { username: claims.sub, groups: serviceAccountGroups(namespace) }, uid: serviceaccount.uid, audiences: overlap };
}

function headerList(req: IncomingMessage, name: string): string[] {
  const v = req.headers[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function impersonated(req: IncomingMessage, user: UserInfo): UserInfo {
  const as = headerList(req, 'impersonate-user')[0];
  if (as === undefined) return user;
  if (!user.groups.includes(SUPERUSER_GROUP)) {
    throw new ApiError(403, 'Forbidden', `users "${as}" is forbidden: User "${user.username}" cannot impersonate resource "users" in API group "" at the cluster scope`);
  }
  const sa = /^system:serviceaccount:([^:]+):[^:]+$/.exec(as);
  const groups = headerList(req, 'impersonate-group');
  return { username: as, groups: [...new Set([...groups, ...(sa !== null ? serviceAccountGroups(sa[1] ?? '') : ['system:authenticated'])])] };
}

/**
 * The user behind a request. The kubeconfig token is the admin; so is a request without
 * credentials or with a bearer token that is not a JWT (tests talk to the double with plain
 * fetch). A JWT must be a valid ServiceAccount token (else 401), and its user is then
 * subject to RBAC. Impersonation headers from the admin switch user (`kubectl --as`).
 */
export function authenticateRequest(store: Store, issuer: TokenIssuer, req: IncomingMessage): UserInfo {
  const header = req.headers.authorization ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (token === undefined || !TokenIssuer.looksLikeJwt(token)) return impersonated(req, ADMIN);
  const result = authenticateToken(store, issuer, token);
  if (!result.ok) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  return impersonated(req, result.user);
}

/** RBAC attributes of a resource request, verb as the request-info resolver derives it. */
export function resourceAttributes(def: ResourceDef, method: string, at: { namespace: string | undefined; name: string | undefined; subresource: string | undefined; watch: boolean }): RequestAttributes {
  const collection = at.name === undefined;
  const verbs: Record<string, string> = { GET: collection ? 'list' : 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: collection ? 'deletecollection' : 'delete' };
  return {
    kind: 'resource',
    verb: at.watch ? 'watch' : (verbs[method] ?? method.toLowerCase()),
    group: def.group,
    resource: def.plural,
    subresource: at.subresource ?? '',
    namespace: at.namespace ?? '',
    name: at.name ?? '',
  };
}

/** Throws kube-apiserver's 403 unless RBAC allows `user` to do `attrs`. */
export function requireAllowed(store: Store, user: UserInfo, attrs: RequestAttributes): void {
  if (user.groups.includes(SUPERUSER_GROUP)) return;
  const decision = authorize(rbacPolicy(store), user, attrs);
  if (decision.allowed) return;
  const details = attrs.kind === 'resource' ? { ...(attrs.name === '' ? {} : { name: attrs.name }), ...(attrs.group === '' ? {} : { group: attrs.group }), kind: attrs.resource } : undefined;
  throw new ApiError(403, 'Forbidden', forbiddenMessage(user, attrs), details);
}
