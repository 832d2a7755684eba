import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import { API_USAGE, policyRules, RESOURCES } from '../../src/kube/client/index.js';
import { GENERIC_SITES, scanApiCalls } from './api-calls.js';
import type { CallScan } from './api-calls.js';
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

function setup(): { objects: KubeObject[]; secure: KubeObject[]; scan: CallScan; load(): Promise<void> } {
  const state = {
    objects: [] as KubeObject[],
    secure: [] as KubeObject[],
    scan: { grants: [], genericSites: [], viaCalls: {} } as CallScan,
    load: async () => {
      [state.objects, state.secure] = await Promise.all([render('deploy/base'), render('deploy/overlays/metrics-prometheus-secure')]);
      state.scan = scanApiCalls(RESOURCES);
    },
  };
  return state;
}

/** The rules of every ClusterRole and Role bound to the controller's ServiceAccount. */
function controllerRules(objects: readonly KubeObject[]): Rule[] {
  const bound = objects.filter((o) => (o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding') && (at(o, 'subjects') as Array<{ name: string }>).some((s) => s.name === 'kube-ovn-controller'));
  return bound.flatMap((b) => rulesOf(only(objects, b.kind === 'RoleBinding' ? 'Role' : 'ClusterRole', at(b, 'roleRef', 'name') as string)));
}

const SECURE_ONLY = new Set(API_USAGE.filter((u) => u.feature === 'secure-serving').map((u) => u.resource.plural));
const withoutSecure = (grantsList: string[]): string[] => grantsList.filter((g) => !SECURE_ONLY.has(g.split(' ')[1] ?? ''));

// Issue 13: RBAC exactly as the code needs it, derived from the calls the code makes.
describe('RBAC in deploy/', { skip }, () => {
  const env = setup();
  before(() => env.load(), { timeout: 120_000 });

  it('finds the KubeClient calls of src, resource passed through only at the known generic sites', () => {
    assert.ok(env.scan.grants.length > 15, `scan found only ${env.scan.grants.join(', ')}`);
    assert.deepEqual(env.scan.genericSites, Object.keys(GENERIC_SITES).sort(), 'a new call passes its resource through: describe it in GENERIC_SITES');
    for (const { via } of Object.values(GENERIC_SITES)) assert.ok((env.scan.viaCalls[via] ?? 0) >= 3, `no (or too few) calls of ${via} name a resource: ${JSON.stringify(env.scan.viaCalls)}`);
  });

  it('grants in deploy/base exactly the verbs the code calls (secure serving aside): none unused, none missing', () => {
    const granted = grants(controllerRules(env.objects));
    const used = withoutSecure(env.scan.grants);
    assert.deepEqual(granted.filter((g) => !used.includes(g)), [], 'granted but never called');
    assert.deepEqual(used.filter((g) => !granted.includes(g)), [], 'called but not granted');
  });

  it('adds exactly create on tokenreviews and subjectaccessreviews in the secure-serving overlay', () => {
    const granted = grants(controllerRules(env.secure));
    assert.deepEqual(granted, env.scan.grants);
    assert.deepEqual(granted.filter((g) => !grants(controllerRules(env.objects)).includes(g)), ['authentication.k8s.io tokenreviews create', 'authorization.k8s.io subjectaccessreviews create']);
  });

  it('keeps API_USAGE, the table that says why, equal to what the code calls', () => {
    assert.deepEqual(grants(policyRules(API_USAGE) as unknown as Rule[]), env.scan.grants);
  });

  it('ships a metrics-reader ClusterRole with get on /metrics and nothing else', () => {
    const reader = only(env.secure, 'ClusterRole', 'kube-ovn-controller-metrics-reader');
    assert.deepEqual(at(reader, 'rules'), [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
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
