import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API_USAGE, apiVersionOf, policyRules, resourcePath, RESOURCES } from '../../../src/kube/client/index.js';

describe('resourcePath', () => {
  const cases: Array<[string, Parameters<typeof resourcePath>, string]> = [
    ['lists pods across namespaces', [RESOURCES.pods], '/api/v1/pods'],
    ['lists pods of one namespace', [RESOURCES.pods, { namespace: 'kube-system' }], '/api/v1/namespaces/kube-system/pods'],
    ['addresses one pod', [RESOURCES.pods, { namespace: 'default', name: 'p1' }], '/api/v1/namespaces/default/pods/p1'],
    ['addresses a lease in its group', [RESOURCES.leases, { namespace: 'kube-system', name: 'kube-ovn-controller' }], '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-ovn-controller'],
    ['addresses a cluster-scoped subnet, ignoring a namespace', [RESOURCES.subnets, { namespace: 'x', name: 'ovn-default' }], '/apis/kubeovn.io/v1/subnets/ovn-default'],
    ['addresses the status subresource', [RESOURCES.subnets, { name: 's1', subresource: 'status' }], '/apis/kubeovn.io/v1/subnets/s1/status'],
    ['escapes names', [RESOURCES.ips, { name: 'a b' }], '/apis/kubeovn.io/v1/ips/a%20b'],
  ];
  for (const [name, args, want] of cases) it(name, () => assert.equal(resourcePath(...args), want));

  it('refuses a namespaced object without a namespace', () => {
    assert.throws(() => resourcePath(RESOURCES.pods, { name: 'p1' }), /namespace is required/);
  });

  it('names apiVersions as objects carry them', () => {
    assert.equal(apiVersionOf(RESOURCES.pods), 'v1');
    assert.equal(apiVersionOf(RESOURCES.ips), 'kubeovn.io/v1');
  });
});

describe('API usage table', () => {
  it('derives one ClusterRole rule per row with sorted verbs', () => {
    const rules = policyRules();
    assert.equal(rules.length, API_USAGE.length);
    assert.deepEqual(rules.find((r) => r.resources[0] === 'subnets/status'), { apiGroups: ['kubeovn.io'], resources: ['subnets/status'], verbs: ['patch'] });
    assert.deepEqual(rules.find((r) => r.resources[0] === 'leases'), { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update'] });
  });

  it('covers every resource the client declares', () => {
    const used = new Set(API_USAGE.map((u) => u.resource.plural));
    for (const r of Object.values(RESOURCES)) assert.ok(used.has(r.plural), `${r.plural} missing from API_USAGE`);
  });

  it('lets every informer resource be listed and watched', () => {
    for (const r of [RESOURCES.pods, RESOURCES.namespaces, RESOURCES.subnets, RESOURCES.ips]) {
      const verbs = API_USAGE.filter((u) => u.resource === r && u.subresource === undefined).flatMap((u) => u.verbs);
      assert.ok(verbs.includes('list') && verbs.includes('watch'), `${r.plural}: ${verbs.join(',')}`);
    }
  });
});
