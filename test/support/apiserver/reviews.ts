// TokenRequest (serviceaccounts/token), TokenReview, SubjectAccessReview and its self/local forms:
// answered from the store and the token issuer, never stored (as kube-apiserver's REST storage for them).
import { authenticateToken, rbacPolicy } from './auth.js';
import { ApiError, badRequest, invalid, notFound } from './errors.js';
import type { FieldCause } from './errors.js';
import { formatTime } from './operations.js';
import { SUPERUSER_GROUP, authorize } from './rbac.js';
import type { RequestAttributes, UserInfo } from './rbac.js';
import type { Store } from './store.js';
import type { TokenIssuer } from './tokens.js';
import { isObject } from './types.js';
import type { KubeObject, ResourceDef } from './types.js';

export interface ReviewDeps {
  readonly store: Store;
  readonly issuer: TokenIssuer;
  readonly now: () => Date;
}

/** kube-apiserver's bounds on TokenRequest.spec.expirationSeconds. */
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const DEFAULT_EXPIRATION_SECONDS = 3600;

function spec(body: Record<string, unknown>): Record<string, unknown> {
  return isObject(body['spec']) ? body['spec'] : {};
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

/** POST .../serviceaccounts/<name>/token. */
export function tokenRequest(deps: ReviewDeps, def: ResourceDef, namespace: string, name: string, body: Record<string, unknown>): KubeObject {
  const sa = deps.store.get('serviceaccounts', namespace, name);
  if (sa === undefined) throw notFound(def, name);
  if (body['kind'] !== undefined && body['kind'] !== 'TokenRequest') throw badRequest(`the kind of the object (${String(body['kind'])}) does not match TokenRequest`);
  const s = spec(body);
  const seconds = s['expirationSeconds'] === undefined || s['expirationSeconds'] === null ? DEFAULT_EXPIRATION_SECONDS : Number(s['expirationSeconds']);
  const tokenDef = { ...def, kind: 'TokenRequest', group: 'authentication.k8s.io' };
  if (!Number.isInteger(seconds) || seconds < MIN_EXPIRATION_SECONDS) {
    throw invalid(tokenDef, name, [{ field: 'spec.expirationSeconds', reason: 'FieldValueInvalid', message: `Invalid value: ${String(s['expirationSeconds'])}: may not specify a duration less than 10 minutes` }]);
  }
  if (seconds > MAX_EXPIRATION_SECONDS) {
    throw invalid(tokenDef, name, [{ field: 'spec.expirationSeconds', reason: 'FieldValueTooLong', message: `Invalid value: ${seconds}: may not specify a duration larger than 2^32 seconds` }]);
  }
  const audiences = strings(s['audiences']);
  const { token, expires } = deps.issuer.mint({ namespace, name, uid: sa.metadata.uid ?? '' }, audiences, seconds);
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: formatTime(deps.now()) },
    spec: { audiences: audiences.length > 0 ? audiences : ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: seconds, boundObjectRef: s['boundObjectRef'] ?? null },
    status: { token, expirationTimestamp: formatTime(expires) },
  };
}

/** POST /apis/authentication.k8s.io/v1/tokenreviews. */
export function tokenReview(deps: ReviewDeps, body: Record<string, unknown>): KubeObject {
  const s = spec(body);
  const token = typeof s['token'] === 'string' ? s['token'] : '';
  if (token === '') {
    throw new ApiError(422, 'Invalid', 'TokenReview.authentication.k8s.io "" is invalid: spec.token: Required value: token must be specified', { group: 'authentication.k8s.io', kind: 'TokenReview', causes: [{ reason: 'FieldValueRequired', message: 'Required value: token must be specified', field: 'spec.token' }] });
  }
  const result = authenticateToken(deps.store, deps.issuer, token, strings(s['audiences']));
  const status = result.ok
    ? { authenticated: true, user: { username: result.user.username, ...(result.uid === '' ? {} : { uid: result.uid }), groups: result.user.groups }, audiences: result.audiences }
    : { user: {}, error: result.error };
  return { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: {}, spec: s, status };
}

function attributesOf(s: Record<string, unknown>, kind: string): RequestAttributes {
  const ra = s['resourceAttributes'];
  const nra = s['nonResourceAttributes'];
  if (isObject(ra) === isObject(nra)) {
    throw new ApiError(422, 'Invalid', `${kind}.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified`, { group: 'authorization.k8s.io', kind, causes: [{ reason: 'FieldValueInvalid', message: 'exactly one of nonResourceAttributes or resourceAttributes must be specified', field: 'spec.resourceAttributes' }] });
  }
  if (isObject(nra)) return { kind: 'nonResource', verb: String(nra['verb'] ?? ''), path: String(nra['path'] ?? '') };
  const r = ra as Record<string, unknown>;
  const str = (k: string): string => (typeof r[k] === 'string' ? r[k] : '');
  return { kind: 'resource', verb: str('verb'), group: str('group'), resource: str('resource'), subresource: str('subresource'), namespace: str('namespace'), name: str('name') };
}

function decide(deps: ReviewDeps, user: UserInfo, attrs: RequestAttributes): Record<string, unknown> {
  if (user.groups.includes(SUPERUSER_GROUP)) return { allowed: true };
  const d = authorize(rbacPolicy(deps.store), user, attrs);
  return d.reason === '' ? { allowed: d.allowed } : { allowed: d.allowed, reason: d.reason };
}

function accessReview(kind: string, s: Record<string, unknown>, status: Record<string, unknown>, namespace?: string): KubeObject {
  return { kind, apiVersion: 'authorization.k8s.io/v1', metadata: { ...(namespace === undefined ? {} : { namespace }) }, spec: s, status };
}

/** POST /apis/authorization.k8s.io/v1/subjectaccessreviews: the user and groups come from the spec. */
export function subjectAccessReview(deps: ReviewDeps, body: Record<string, unknown>): KubeObject {
  const s = spec(body);
  const attrs = attributesOf(s, 'SubjectAccessReview');
  const username = typeof s['user'] === 'string' ? s['user'] : '';
  const groups = strings(s['groups']);
  if (username === '' && groups.length === 0) {
    const cause: FieldCause = { field: 'spec.user,spec.groups', reason: 'FieldValueInvalid', message: 'Invalid value: "": at least one of user or group must be specified' };
    throw new ApiError(422, 'Invalid', `SubjectAccessReview.authorization.k8s.io "" is invalid: ${cause.field}: ${cause.message}`, { group: 'authorization.k8s.io', kind: 'SubjectAccessReview', causes: [cause] });
  }
  return accessReview('SubjectAccessReview', s, decide(deps, { username, groups }, attrs));
}

/** POST .../selfsubjectaccessreviews (the requester) and .../namespaces/<ns>/localsubjectaccessreviews. */
export function selfOrLocalReview(deps: ReviewDeps, kind: 'SelfSubjectAccessReview' | 'LocalSubjectAccessReview', body: Record<string, unknown>, requester: UserInfo, namespace?: string): KubeObject {
  const s = spec(body);
  const attrs = attributesOf(s, kind);
  if (kind === 'SelfSubjectAccessReview') return accessReview(kind, s, decide(deps, requester, attrs));
  if (attrs.kind !== 'resource' || attrs.namespace !== namespace) {
    throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace ?? ''}`);
  }
  const username = typeof s['user'] === 'string' ? s['user'] : '';
  return accessReview(kind, s, decide(deps, { username, groups: strings(s['groups']) }, attrs), namespace);
}
