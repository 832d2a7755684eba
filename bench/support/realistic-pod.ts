// A pod as a Deployment's ReplicaSet creates it in a real cluster, ~8 KB of JSON (the issue's
// "realistic" size; real pods are 5-30 KB): labels, annotations (a sidecar injector's status, a
// checksum, prometheus hints), an owner reference, managedFields of two managers, two containers
// with env, ports, probes, resources and mounts, six volumes (projected service-account token,
// config maps, secret, emptyDir), tolerations and an affinity. Fields vary with the index so
// strings are not all shared. `realisticPodBytes()` says the exact size.

type Obj = Record<string, unknown>;

const hex = (i: number, len: number): string => (i * 2654435761).toString(16).padStart(len, '0').slice(-len);

function env(i: number): Obj[] {
  const vars: Obj[] = [];
  for (let k = 0; k < 14; k++) vars.push({ name: `APP_SETTING_${k}`, value: `value-${k}-${hex(i + k, 8)}` });
  vars.push({ name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } });
  vars.push({ name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } });
  vars.push({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } });
  return vars;
}

function container(name: string, image: string, i: number, port: number): Obj {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    args: ['--config=/etc/app/config.yaml', `--instance=${hex(i, 6)}`, '--log-format=json'],
    env: env(i),
    ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }, { name: 'metrics', containerPort: port + 1, protocol: 'TCP' }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
    readinessProbe: { httpGet: { path: '/readyz', port, scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    livenessProbe: { httpGet: { path: '/livez', port, scheme: 'HTTP' }, initialDelaySeconds: 15, periodSeconds: 20, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/app', readOnly: true },
      { name: 'data', mountPath: '/var/lib/app' },
      { name: 'tls', mountPath: '/etc/tls', readOnly: true },
      { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
    ],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    securityContext: { runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
  };
}

function managedFields(i: number): Obj[] {
  const fields: Obj = {};
  for (let k = 0; k < 14; k++) fields[`k:{"name":"APP_SETTING_${k}"}`] = { '.': {}, 'f:name': {}, 'f:value': {} };
  const containerFields = { 'f:args': {}, 'f:env': { '.': {}, ...fields }, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {}, 'f:ports': {}, 'f:resources': { 'f:limits': {}, 'f:requests': {} }, 'f:volumeMounts': {} };
  return [
    {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'v1',
      time: new Date(1_700_000_000_000 + i * 1000).toISOString(),
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} }, 'f:ownerReferences': {} },
        'f:spec': { 'f:containers': { 'k:{"name":"app"}': containerFields, 'k:{"name":"sidecar"}': { 'f:image': {}, 'f:name': {} } }, 'f:volumes': {} },
      },
    },
    {
      manager: 'kubelet',
      operation: 'Update',
      apiVersion: 'v1',
      time: new Date(1_700_000_005_000 + i * 1000).toISOString(),
      fieldsType: 'FieldsV1',
      subresource: 'status',
      fieldsV1: { 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {}, 'f:startTime': {} } },
    },
  ];
}

/** A realistic pod named `name` in `namespace`; `annotations` are added to its own. */
export function realisticPod(namespace: string, name: string, i: number, annotations: Record<string, string> = {}): Obj {
  const hash = hex(i >> 6, 10);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      generateName: `${name.replace(/-?\d+$/, '')}-${hash}-`,
      labels: { app: 'web', 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': `web-${i % 50}`, 'app.kubernetes.io/version': '1.27.3', 'pod-template-hash': hash, tier: 'frontend', team: 'payments' },
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '8081',
        'checksum/config': hex(i, 16).repeat(4),
        'sidecar.istio.io/status': JSON.stringify({ initContainers: ['istio-init'], containers: ['istio-proxy'], volumes: ['workload-socket', 'credential-socket', 'istio-envoy', 'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert'], imagePullSecrets: null, revision: 'default' }),
        'kubectl.kubernetes.io/restartedAt': '2026-11-20T10:00:00Z',
        ...annotations,
      },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `web-${hash}`, uid: `${hex(i >> 6, 8)}-1111-2222-3333-${hex(i >> 6, 12)}`, controller: true, blockOwnerDeletion: true }],
      managedFields: managedFields(i),
    },
    spec: {
      nodeName: `node-${i % 100}`,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'web',
      schedulerName: 'default-scheduler',
      securityContext: { fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [container('app', 'registry.example.com/payments/web:1.27.3', i, 8080), container('sidecar', 'registry.example.com/infra/log-shipper:2.4.1', i, 9090)],
      volumes: [
        { name: 'config', configMap: { name: 'web-config', defaultMode: 420 } },
        { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
        { name: 'tls', secret: { secretName: 'web-tls', defaultMode: 420 } },
        { name: 'cache', emptyDir: { medium: 'Memory' } },
        { name: 'podinfo', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        {
          name: 'kube-api-access',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
      ],
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } } }],
        },
      },
    },
  };
}

/** Serialized size of one realistic pod, bytes (for the bench line). */
export function realisticPodBytes(): number {
  return Buffer.byteLength(JSON.stringify(realisticPod('bench', 'b-12345', 12345)));
}
