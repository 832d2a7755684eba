import type { KubeObject } from './types.js';

const RBAC = 'rbac.authorization.k8s.io/v1';
const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

function clusterRole(name: string, rules: Array<Record<string, unknown>>): KubeObject {
  return { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name, labels: BOOTSTRAP_LABELS, annotations: AUTOUPDATE }, rules };
}

function bindGroups(name: string, groups: string[]): KubeObject {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: BOOTSTRAP_LABELS, annotations: AUTOUPDATE },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: groups.map((g) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: g })),
  };
}

/**
 * The few bootstrap policy objects of kube-apiserver that matter to clients here: cluster-admin for
 * system:masters, discovery and health paths for every authenticated user, and self reviews
 * (`kubectl auth can-i`). The aggregated admin/edit/view roles are not modelled.
 */
export function bootstrapPolicy(): Array<[string, KubeObject]> {
  const crb = 'clusterrolebindings';
  const cr = 'clusterroles';
  return [
    [cr, clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }])],
    [crb, bindGroups('cluster-admin', ['system:masters'])],
    [cr, clusterRole('system:discovery', [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }])],
    [crb, bindGroups('system:discovery', ['system:authenticated'])],
    [cr, clusterRole('system:basic-user', [{ apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] }, { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] }])],
    [crb, bindGroups('system:basic-user', ['system:authenticated'])],
    [cr, clusterRole('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }])],
    [crb, bindGroups('system:public-info-viewer', ['system:authenticated', 'system:unauthenticated'])],
  ];
}
