import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { KUBECONFIG_TOKEN } from '../support/apiserver/index.js';
import { kubectl, kubectlMissing, setup } from './helpers.js';
import type { Harness } from './helpers.js';

const skip = kubectlMissing();

async function ok(h: Harness, args: string[]): Promise<string> {
  const r = await kubectl(h, args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function review(h: Harness, token: string, audiences?: string[]): Promise<Record<string, unknown>> {
  const r = await h.call('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences === undefined ? {} : { audiences }) } });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json['status'] as Record<string, unknown>;
}

async function canGetMetrics(h: Harness, user: string, groups: unknown): Promise<Record<string, unknown>> {
  const r = await h.call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, groups, nonResourceAttributes: { path: '/metrics', verb: 'get' } },
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json['status'] as Record<string, unknown>;
}

function bearer(h: Harness, path: string, token: string): Promise<Response> {
  return fetch(`${h.server.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
}

describe('ServiceAccount tokens, TokenReview and SubjectAccessReview driven by kubectl', { skip }, () => {
  it('mints a token with kubectl create token that TokenReview authenticates and RBAC authorizes for /metrics', async () => {
    let now = Date.parse('2026-03-04T05:06:07Z');
    const h = await setup({ operations: { now: () => new Date(now) } });
    try {
      assert.match(await ok(h, ['create', 'namespace', 'monitoring']), /namespace\/monitoring created/);
      assert.match(await ok(h, ['create', 'serviceaccount', 'prometheus', '-n', 'monitoring']), /serviceaccount\/prometheus created/);
      assert.match(await ok(h, ['create', 'clusterrole', 'metrics-reader', '--verb=get', '--non-resource-url=/metrics']), /clusterrole.rbac.authorization.k8s.io\/metrics-reader created/);
      assert.match(await ok(h, ['create', 'clusterrolebinding', 'prometheus-metrics', '--clusterrole=metrics-reader', '--serviceaccount=monitoring:prometheus']), /created/);
      const token = (await ok(h, ['create', 'token', 'prometheus', '-n', 'monitoring', '--duration=10m'])).trim();
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.equal(h.server.tokenClaims(token)?.exp, now / 1000 + 600);

      const status = await review(h, token);
      assert.equal(status['authenticated'], true);
      const user = status['user'] as Record<string, unknown>;
      assert.equal(user['username'], 'system:serviceaccount:monitoring:prometheus');
      assert.deepEqual(user['groups'], ['system:serviceaccounts', 'system:serviceaccounts:monitoring', 'system:authenticated']);
      assert.deepEqual(await canGetMetrics(h, String(user['username']), user['groups']), { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "prometheus-metrics" of ClusterRole "metrics-reader" to ServiceAccount "monitoring/prometheus"' });
      assert.deepEqual(await canGetMetrics(h, 'system:serviceaccount:default:default', ['system:serviceaccounts', 'system:authenticated']), { allowed: false });

      assert.equal((await ok(h, ['auth', 'can-i', 'get', '/metrics', '--as=system:serviceaccount:monitoring:prometheus'])).trim(), 'yes');
      const denied = await kubectl(h, ['auth', 'can-i', 'get', '/metrics', '--as=system:serviceaccount:default:default']);
      assert.equal(denied.stdout.trim(), 'no');

      now += 600_000;
      const expired = await review(h, token);
      assert.equal(expired['authenticated'], undefined, 'authenticated is omitted when false, as in kube-apiserver');
      assert.match(String(expired['error']), /expired/);
    } finally {
      await h.close();
    }
  });

  it('judges requests made with a ServiceAccount token by RBAC, and rejects bad or stale tokens', async () => {
    const h = await setup();
    try {
      await ok(h, ['create', 'serviceaccount', 'app']);
      await ok(h, ['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods']);
      const token = (await ok(h, ['create', 'token', 'app'])).trim();
      const before = await bearer(h, '/api/v1/namespaces/default/pods', token);
      assert.equal(before.status, 403);
      assert.match(((await before.json()) as { message: string }).message, /^pods is forbidden: User "system:serviceaccount:default:app" cannot list resource "pods" in API group "" in the namespace "default"$/);
      await ok(h, ['create', 'rolebinding', 'app-pods', '--role=pod-reader', '--serviceaccount=default:app']);
      assert.equal((await bearer(h, '/api/v1/namespaces/default/pods', token)).status, 200);
      assert.equal((await bearer(h, '/api/v1/namespaces/kube-system/pods', token)).status, 403);
      assert.equal((await bearer(h, '/version', token)).status, 200, 'system:discovery is bound to system:authenticated');

      assert.equal((await bearer(h, '/api/v1/pods', `${token}x`)).status, 401);
      const garbage = await review(h, 'not.a-token.at-all');
      assert.equal(garbage['authenticated'], undefined);
      assert.match(String(garbage['error']), /invalid bearer token/);

      await ok(h, ['delete', 'serviceaccount', 'app']);
      await ok(h, ['create', 'serviceaccount', 'app']);
      assert.match(String((await review(h, token))['error']), /does not match claim/, 'a re-created account does not revive old tokens');
    } finally {
      await h.close();
    }
  });

  it('checks audiences and keeps the kubeconfig admin all-powerful', async () => {
    const h = await setup();
    try {
      await ok(h, ['create', 'serviceaccount', 'scraper']);
      const token = (await ok(h, ['create', 'token', 'scraper', '--audience=metrics'])).trim();
      assert.equal((await review(h, token, ['metrics']))['authenticated'], true);
      assert.deepEqual((await review(h, token, ['metrics']))['audiences'], ['metrics']);
      assert.match(String((await review(h, token))['error']), /audiences/);
      const admin = await review(h, KUBECONFIG_TOKEN);
      assert.deepEqual(admin['user'], { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] });
      assert.equal((await canGetMetrics(h, 'kubernetes-admin', ['system:masters', 'system:authenticated']))['allowed'], true);
      assert.equal((await ok(h, ['auth', 'can-i', '*', '*'])).trim(), 'yes');
      const tooShort = await kubectl(h, ['create', 'token', 'scraper', '--duration=1m']);
      assert.match(tooShort.stderr, /may not specify a duration less than 10 minutes/);
      assert.match((await kubectl(h, ['create', 'token', 'ghost'])).stderr, /serviceaccounts "ghost" not found/);
    } finally {
      await h.close();
    }
  });

  it('lets a test mint a token and grant it a ClusterRole without kubectl', async () => {
    const h = await setup();
    try {
      await h.call('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'reader' } });
      await h.call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'metrics-reader' }, rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] });
      await h.call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        metadata: { name: 'reader-metrics' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'metrics-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'default' }],
      });
      const token = h.server.createToken('default', 'reader', { expirationSeconds: 600 });
      const user = (await review(h, token))['user'] as Record<string, unknown>;
      assert.equal((await canGetMetrics(h, String(user['username']), user['groups']))['allowed'], true);
    } finally {
      await h.close();
    }
  });
});
