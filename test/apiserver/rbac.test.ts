import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { authorize, forbiddenMessage } from '../support/apiserver/rbac.js';
import type { RbacPolicy, RequestAttributes, UserInfo } from '../support/apiserver/rbac.js';
import { TokenIssuer } from '../support/apiserver/tokens.js';
import type { KubeObject } from '../support/apiserver/types.js';

const RBAC = 'rbac.authorization.k8s.io';

function clusterRole(name: string, rules: Array<Record<string, unknown>>): KubeObject {
  return { kind: 'ClusterRole', metadata: { name }, rules };
}

function role(namespace: string, name: string, rules: Array<Record<string, unknown>>): KubeObject {
  return { kind: 'Role', metadata: { namespace, name }, rules };
}

function binding(kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, roleRef: [string, string], subjects: Array<Record<string, unknown>>, namespace?: string): KubeObject {
  return { kind, metadata: { name, ...(namespace === undefined ? {} : { namespace }) }, roleRef: { apiGroup: RBAC, kind: roleRef[0], name: roleRef[1] }, subjects };
}

const sa = (namespace: string, name: string): UserInfo => ({
  username: `system:serviceaccount:${namespace}:${name}`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
});
const alice: UserInfo = { username: 'alice', groups: ['devs', 'system:authenticated'] };

function res(verb: string, resource: string, namespace = '', extra: { group?: string; subresource?: string; name?: string } = {}): RequestAttributes {
  return { kind: 'resource', verb, resource, namespace, group: extra.group ?? '', subresource: extra.subresource ?? '', name: extra.name ?? '' };
}

function url(verb: string, path: string): RequestAttributes {
  return { kind: 'nonResource', verb, path };
}

function setup(): RbacPolicy {
  return {
    clusterRoles: [
      clusterRole('metrics-reader', [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]),
      clusterRole('debug-reader', [{ nonResourceURLs: ['/debug/*'], verbs: ['get'] }]),
      clusterRole('pod-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]),
      clusterRole('status-writer', [{ apiGroups: ['kubeovn.io'], resources: ['*/status'], verbs: ['update', 'patch'] }]),
      clusterRole('one-lease', [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['kube-ovn-controller'], verbs: ['get', 'update'] }]),
      clusterRole('everything', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
    ],
    roles: [role('team', 'cm-editor', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }])],
    clusterRoleBindings: [
      binding('ClusterRoleBinding', 'scrape', ['ClusterRole', 'metrics-reader'], [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }]),
      binding('ClusterRoleBinding', 'debug', ['ClusterRole', 'debug-reader'], [{ kind: 'User', apiGroup: RBAC, name: 'alice' }]),
      binding('ClusterRoleBinding', 'all-sa-status', ['ClusterRole', 'status-writer'], [{ kind: 'Group', apiGroup: RBAC, name: 'system:serviceaccounts:kube-system' }]),
      binding('ClusterRoleBinding', 'leases', ['ClusterRole', 'one-lease'], [{ kind: 'ServiceAccount', name: 'ctrl', namespace: 'kube-system' }]),
      binding('ClusterRoleBinding', 'dangling', ['ClusterRole', 'missing'], [{ kind: 'Group', apiGroup: RBAC, name: 'devs' }]),
      // A ServiceAccount subject of a ClusterRoleBinding without a namespace matches nobody.
      binding('ClusterRoleBinding', 'no-ns', ['ClusterRole', 'everything'], [{ kind: 'ServiceAccount', name: 'nobody' }]),
    ],
    roleBindings: [
      binding('RoleBinding', 'read-pods', ['ClusterRole', 'pod-reader'], [{ kind: 'Group', apiGroup: RBAC, name: 'devs' }], 'team'),
      binding('RoleBinding', 'cm', ['Role', 'cm-editor'], [{ kind: 'ServiceAccount', name: 'app' }], 'team'),
      // A RoleBinding granting a ClusterRole with nonResourceURLs grants no URL (URLs are cluster-scoped).
      binding('RoleBinding', 'urls-in-ns', ['ClusterRole', 'metrics-reader'], [{ kind: 'User', apiGroup: RBAC, name: 'bob' }], 'team'),
      binding('RoleBinding', 'other-ns-role', ['Role', 'cm-editor'], [{ kind: 'User', apiGroup: RBAC, name: 'carol' }], 'elsewhere'),
    ],
  };
}

const cases: Array<[string, UserInfo, RequestAttributes, boolean]> = [
  ['a cluster role grants a non-resource URL to a bound ServiceAccount', sa('monitoring', 'prometheus'), url('get', '/metrics'), true],
  ['the URL grant is for GET only', sa('monitoring', 'prometheus'), url('post', '/metrics'), false],
  ['another ServiceAccount of the same name elsewhere is not bound', sa('default', 'prometheus'), url('get', '/metrics'), false],
  ['a URL ending in * matches by prefix', alice, url('get', '/debug/pprof/heap'), true],
  ['the * prefix does not match a sibling path', alice, url('get', '/debugging'), false],
  ['a RoleBinding grants a ClusterRole in its namespace to a group', alice, res('list', 'pods', 'team'), true],
  ['the same RoleBinding grants nothing in another namespace', alice, res('list', 'pods', 'default'), false],
  ['nor cluster-wide', alice, res('list', 'pods'), false],
  ['a verb not in the rule is denied', alice, res('delete', 'pods', 'team', { name: 'p' }), false],
  ['a Role bound to a ServiceAccount subject without namespace means the binding namespace', sa('team', 'app'), res('update', 'configmaps', 'team', { name: 'c' }), true],
  ['a wildcard verb covers deletecollection', sa('team', 'app'), res('deletecollection', 'configmaps', 'team'), true],
  ['a */status rule covers any resource status subresource in the group', sa('kube-system', 'anyone'), res('patch', 'subnets', '', { group: 'kubeovn.io', subresource: 'status' }), true],
  ['but not the main resource', sa('kube-system', 'anyone'), res('patch', 'subnets', '', { group: 'kubeovn.io' }), false],
  ['nor another API group', sa('kube-system', 'anyone'), res('patch', 'pods', 'x', { subresource: 'status' }), false],
  ['resourceNames restrict to the named object', sa('kube-system', 'ctrl'), res('get', 'leases', 'kube-system', { group: 'coordination.k8s.io', name: 'kube-ovn-controller' }), true],
  ['another name is denied', sa('kube-system', 'ctrl'), res('get', 'leases', 'kube-system', { group: 'coordination.k8s.io', name: 'other' }), false],
  ['resourceNames never allow list', sa('kube-system', 'ctrl'), res('list', 'leases', 'kube-system', { group: 'coordination.k8s.io' }), false],
  ['a cluster ServiceAccount subject without namespace matches nobody', sa('', 'nobody'), res('get', 'pods', 'x', { name: 'p' }), false],
  ['a RoleBinding does not grant non-resource URLs', { username: 'bob', groups: [] }, url('get', '/metrics'), false],
  ['a RoleBinding to a Role only reads Roles of its own namespace', { username: 'carol', groups: [] }, res('get', 'configmaps', 'elsewhere', { name: 'c' }), false],
  ['system:masters bypasses RBAC', { username: 'admin', groups: ['system:masters'] }, url('delete', '/anything'), true],
  ['nothing bound means denied', { username: 'mallory', groups: ['system:authenticated'] }, res('get', 'pods', 'team', { name: 'p' }), false],
];

describe('RBAC evaluation', () => {
  for (const [name, user, attrs, allowed] of cases) {
    it(name, () => {
      assert.equal(authorize(setup(), user, attrs).allowed, allowed);
    });
  }

  it('says which binding allowed a request, as kube-apiserver does', () => {
    const d = authorize(setup(), sa('monitoring', 'prometheus'), url('get', '/metrics'));
    assert.equal(d.reason, 'RBAC: allowed by ClusterRoleBinding "scrape" of ClusterRole "metrics-reader" to ServiceAccount "monitoring/prometheus"');
  });

  it('reports a binding to a missing role when denying', () => {
    const d = authorize(setup(), alice, res('get', 'secrets', 'default', { name: 's' }));
    assert.equal(d.allowed, false);
    assert.match(d.reason, /clusterrole\.rbac\.authorization\.k8s\.io "missing" not found/);
  });

  it('words a 403 like kube-apiserver', () => {
    assert.equal(forbiddenMessage(alice, res('list', 'pods', 'default')), 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
    assert.equal(forbiddenMessage(alice, url('get', '/metrics')), 'forbidden: User "alice" cannot get path "/metrics"');
  });
});

describe('ServiceAccount tokens', () => {
  const account = { namespace: 'monitoring', name: 'prometheus', uid: 'u-1' };

  it('carries the account and expires after the requested duration', () => {
    let now = new Date('2026-01-02T03:04:05Z');
    const issuer = new TokenIssuer(() => now);
    const { token, expires } = issuer.mint(account, ['metrics'], 600);
    assert.equal(expires.toISOString(), '2026-01-02T03:14:05.000Z');
    const ok = issuer.verify(token);
    assert.ok(ok.ok);
    assert.equal(ok.claims.sub, 'system:serviceaccount:monitoring:prometheus');
    assert.deepEqual(ok.claims.aud, ['metrics']);
    now = new Date('2026-01-02T03:14:05Z');
    assert.deepEqual(issuer.verify(token), { ok: false, error: 'invalid bearer token, service account token has expired' });
  });

  it('rejects a token signed by another server or altered', () => {
    const now = (): Date => new Date('2026-01-02T03:04:05Z');
    const token = new TokenIssuer(now).mint(account, [], 3600).token;
    assert.equal(new TokenIssuer(now).verify(token).ok, false);
    const mine = new TokenIssuer(now);
    const [h, p, s] = mine.mint(account, [], 3600).token.split('.');
    const forged = Buffer.from(Buffer.from(p ?? '', 'base64url').toString().replace('prometheus', 'admin')).toString('base64url');
    assert.equal(mine.verify(`${h}.${forged}.${s}`).ok, false);
    assert.equal(mine.verify('not-a-jwt').ok, false);
  });
});
