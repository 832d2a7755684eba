import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import { API_USAGE, policyRules, RESOURCES } from '../../src/kube/client/index.js';
import { defaultConfig } from './controller-config.js';
import { at, kubectlUnavailable, only, render } from './render.js';
import type { KubeObject } from './render.js';

const skip = kubectlUnavailable();

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** Every (group, resource, verb) a rule list grants, as sortable strings. */
function grants(rules: readonly Rule[]): string[] {
  const out = new Set<string>();
  for (const rule of rules) {
    for (const group of rule.apiGroups) for (const resource of rule.resources) for (const verb of rule.verbs) out.add(`${group || 'core'} ${resource} ${verb}`);
  }
  return [...out].sort();
}

function rulesOf(role: KubeObject): Rule[] {
  return (at(role, 'rules') as Rule[] | undefined) ?? [];
}

function setup(): { objects: KubeObject[]; load(): Promise<void> } {
  const state = { objects: [] as KubeObject[], load: async () => { state.objects = await render('deploy/base'); } };
  return state;
}

describe('RBAC in deploy/base', { skip }, () => {
  const env = setup();
  before(() => env.load());

  it('grants exactly what the client code declares in API_USAGE, split into cluster and namespace scope', () => {
    const cluster = rulesOf(only(env.objects, 'ClusterRole', 'kube-ovn-controller'));
    const namespaced = rulesOf(only(env.objects, 'Role'));
    const declared = grants(policyRules(API_USAGE) as unknown as Rule[]);
    assert.ok(declared.length > 10, 'API_USAGE looks empty');
    assert.deepEqual(grants([...cluster, ...namespaced]), declared);
  });

  it('keeps Leases out of the ClusterRole and pins get/update to the controller Lease', () => {
    const cluster = rulesOf(only(env.objects, 'ClusterRole', 'kube-ovn-controller'));
    assert.deepEqual(cluster.filter((r) => r.resources.includes(RESOURCES.leases.plural)), []);
    const role = only(env.objects, 'Role');
    assert.equal(role.metadata.namespace, defaultConfig().leaderElection.namespace);
    for (const rule of rulesOf(role)) {
      assert.deepEqual(rule.resources, ['leases']);
      // create cannot be restricted by name (the authorizer sees no name on create).
      if (rule.verbs.includes('create')) assert.equal(rule.resourceNames, undefined);
      else assert.deepEqual(rule.resourceNames, [defaultConfig().leaderElection.leaseName]);
    }
  });

  it('uses no wildcards', () => {
    for (const kind of ['ClusterRole', 'Role']) {
      for (const rule of rulesOf(only(env.objects, kind))) {
        for (const field of [rule.apiGroups, rule.resources, rule.verbs]) assert.ok(!field.includes('*'), `${kind} has a wildcard: ${JSON.stringify(rule)}`);
      }
    }
  });

  it('binds both roles to the ServiceAccount the Deployment runs as', () => {
    const sa = only(env.objects, 'ServiceAccount');
    const deployment = only(env.objects, 'Deployment', 'kube-ovn-controller');
    assert.equal(at(deployment, 'spec', 'template', 'spec', 'serviceAccountName'), sa.metadata.name);
    for (const [binding, roleKind] of [['ClusterRoleBinding', 'ClusterRole'], ['RoleBinding', 'Role']] as const) {
      const b = only(env.objects, binding);
      assert.deepEqual(at(b, 'roleRef'), { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: only(env.objects, roleKind).metadata.name });
      assert.deepEqual(at(b, 'subjects'), [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
    }
  });
});
