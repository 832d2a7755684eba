import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import { controllerConfig, resolveEnv } from './controller-config.js';
import { at, controllerContainer, envMap, kubectlUnavailable, only, OVERLAYS, render } from './render.js';
import type { KubeObject, Overlay } from './render.js';

const skip = kubectlUnavailable();

interface Probe {
  httpGet: { path: string; port: number | string };
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

const CLUSTER_SCOPED = new Set(['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'Namespace']);

function setup(): { rendered: Map<Overlay, KubeObject[]>; load(): Promise<void> } {
  const rendered = new Map<Overlay, KubeObject[]>();
  return {
    rendered,
    load: async () => {
      for (const overlay of OVERLAYS) rendered.set(overlay, await render(`deploy/overlays/${overlay}`));
    },
  };
}

describe('deploy overlays', { skip }, () => {
  const env = setup();
  const objects = (overlay: Overlay): KubeObject[] => env.rendered.get(overlay) ?? assert.fail(`${overlay} not rendered`);
  before(() => env.load());

  it('renders every overlay into objects that all have apiVersion, kind and name', () => {
    for (const overlay of OVERLAYS) {
      const list = objects(overlay);
      assert.ok(list.length >= 8, `${overlay}: only ${list.length} objects`);
      for (const o of list) {
        assert.match(o.apiVersion ?? '', /^[a-z0-9.]+(\/v[0-9a-z]+)?$|^v1$/, `${overlay}: ${o.kind} has apiVersion ${o.apiVersion}`);
        assert.match(o.kind ?? '', /^[A-Z][A-Za-z]+$/, `${overlay}: object without kind`);
        assert.ok(o.metadata?.name, `${overlay}: ${o.kind} without a name`);
        if (!CLUSTER_SCOPED.has(o.kind)) assert.equal(o.metadata.namespace, 'kube-system', `${overlay}: ${o.kind}/${o.metadata.name}`);
      }
      for (const crd of ['subnets.kubeovn.io', 'ips.kubeovn.io']) only(list, 'CustomResourceDefinition', crd);
      for (const kind of ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'PodDisruptionBudget']) only(list, kind);
    }
  });

  it('probes the health app on 10660: startup and liveness on /livez, readiness on /readyz', () => {
    for (const overlay of OVERLAYS) {
      const c = controllerContainer(objects(overlay));
      const expected = { startupProbe: '/livez', livenessProbe: '/livez', readinessProbe: '/readyz' };
      for (const [probe, path] of Object.entries(expected)) {
        const get = at(c, probe, 'httpGet') as Probe['httpGet'] | undefined;
        assert.deepEqual({ path: get?.path, port: get?.port }, { path, port: 10660 }, `${overlay}: ${probe}`);
      }
      assert.equal(controllerConfig(c).health.port, 10660, `${overlay}: the controller must listen where the probes point`);
    }
  });

  it("programs OVN through Kube-OVN's ovn-nb Service in every overlay (issue 11)", () => {
    for (const overlay of OVERLAYS) {
      const nb = controllerConfig(controllerContainer(objects(overlay))).ovn.nb;
      assert.deepEqual(nb, { kind: 'on', endpoints: [{ kind: 'tcp', host: '10.96.0.41', port: 6641 }] }, `${overlay}: --ovn-nb-addr from OVN_NB_SERVICE_HOST/PORT`);
    }
  });

  it('keeps liveness slower than a leader-election cycle and readiness fast', () => {
    const c = controllerContainer(objects('metrics-prometheus'));
    const config = controllerConfig(c);
    const liveness = c['livenessProbe'] as Probe;
    const readiness = c['readinessProbe'] as Probe;
    // A restart needs failureThreshold consecutive failures: never sooner than a Lease lifetime.
    assert.ok(liveness.periodSeconds * liveness.failureThreshold * 1000 >= config.leaderElection.leaseDurationMs, 'liveness window shorter than the lease');
    assert.ok(liveness.timeoutSeconds * 1000 < config.health.eventLoopBlockThresholdMs, 'liveness timeout must be under the event-loop bound');
    assert.ok(readiness.periodSeconds * readiness.failureThreshold <= 10, 'readiness must notice SIGTERM within 10 s');
    assert.equal(readiness.timeoutSeconds, 1);
  });

  it('gives shutdown more time than the controller bounds it to', () => {
    const deployment = only(objects('metrics-otlp'), 'Deployment', 'kube-ovn-controller');
    const grace = at(deployment, 'spec', 'template', 'spec', 'terminationGracePeriodSeconds') as number;
    const config = controllerConfig(controllerContainer(objects('metrics-otlp')));
    assert.ok(grace * 1000 > config.shutdownTimeoutMs, `grace ${grace}s <= shutdown ${config.shutdownTimeoutMs}ms`);
  });

  it('passes pod, namespace and node from the Downward API into the OTel resource', () => {
    for (const overlay of OVERLAYS) {
      const c = controllerContainer(objects(overlay));
      const env = envMap(c);
      assert.equal(env.get('POD_NAME'), 'fieldRef:metadata.name');
      assert.equal(env.get('POD_NAMESPACE'), 'fieldRef:metadata.namespace');
      assert.equal(env.get('NODE_NAME'), 'fieldRef:spec.nodeName');
      const attributes = resolveEnv(c)['OTEL_RESOURCE_ATTRIBUTES'] ?? '';
      // Expanded means the variables were defined above it: kubelet leaves later ones literal.
      assert.doesNotMatch(attributes, /\$\(/, `${overlay}: unexpanded reference in ${attributes}`);
      const resource = controllerConfig(c).metrics.resourceAttributes;
      assert.equal(resource['k8s.pod.name'], 'kube-ovn-controller-7d9f-abcde');
      assert.equal(resource['k8s.namespace.name'], 'kube-system');
      assert.equal(resource['k8s.node.name'], 'node-1');
    }
  });

  it('runs as a non-root user with a read-only root and no capabilities', () => {
    for (const overlay of OVERLAYS) {
      const deployment = only(objects(overlay), 'Deployment', 'kube-ovn-controller');
      const pod = at(deployment, 'spec', 'template', 'spec');
      assert.deepEqual(
        { runAsNonRoot: at(pod, 'securityContext', 'runAsNonRoot'), runAsUser: at(pod, 'securityContext', 'runAsUser'), seccomp: at(pod, 'securityContext', 'seccompProfile', 'type') },
        { runAsNonRoot: true, runAsUser: 65532, seccomp: 'RuntimeDefault' },
      );
      const sc = at(controllerContainer(objects(overlay)), 'securityContext');
      assert.deepEqual(
        {
          runAsNonRoot: at(sc, 'runAsNonRoot'), runAsUser: at(sc, 'runAsUser'), readOnlyRootFilesystem: at(sc, 'readOnlyRootFilesystem'),
          allowPrivilegeEscalation: at(sc, 'allowPrivilegeEscalation'), drop: at(sc, 'capabilities', 'drop'), add: at(sc, 'capabilities', 'add'),
          seccomp: at(sc, 'seccompProfile', 'type'),
        },
        { runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, drop: ['ALL'], add: undefined, seccomp: 'RuntimeDefault' },
      );
    }
  });

  it('spreads two replicas over nodes and keeps one through disruptions', () => {
    const list = objects('metrics-none');
    const deployment = only(list, 'Deployment', 'kube-ovn-controller');
    assert.equal(at(deployment, 'spec', 'replicas'), 2);
    const podLabels = at(deployment, 'spec', 'template', 'metadata', 'labels') as Record<string, string>;
    const terms = at(deployment, 'spec', 'template', 'spec', 'affinity', 'podAntiAffinity', 'requiredDuringSchedulingIgnoredDuringExecution') as Array<Record<string, unknown>>;
    assert.equal(terms[0]?.['topologyKey'], 'kubernetes.io/hostname');
    assertSelects(at(terms[0], 'labelSelector', 'matchLabels'), podLabels, 'anti-affinity');
    const pdb = only(list, 'PodDisruptionBudget');
    assert.equal(at(pdb, 'spec', 'minAvailable'), 1);
    assertSelects(at(pdb, 'spec', 'selector', 'matchLabels'), podLabels, 'PodDisruptionBudget');
  });

  it('metrics-none sets ENABLE_METRICS=false, opens no metrics port and ships no metrics Service', () => {
    const list = objects('metrics-none');
    const c = controllerContainer(list);
    assert.equal(envMap(c).get('ENABLE_METRICS'), 'false');
    assert.deepEqual(controllerConfig(c).metrics.exporters, []);
    assert.deepEqual((c.ports ?? []).map((p) => p.containerPort), [10660]);
    assert.deepEqual(list.filter((o) => ['Service', 'ServiceMonitor', 'PrometheusRule'].includes(o.kind)), []);
  });

  it('metrics-prometheus serves :9464 behind a Service port named metrics that a ServiceMonitor scrapes', () => {
    const list = objects('metrics-prometheus');
    const c = controllerContainer(list);
    assert.deepEqual(controllerConfig(c).metrics.exporters.map((e) => e.kind === 'prometheus' && e.port), [9464]);
    const service = only(list, 'Service', 'kube-ovn-controller');
    const ports = at(service, 'spec', 'ports') as Array<{ name: string; port: number; targetPort: string | number }>;
    assert.deepEqual(ports.map((p) => ({ name: p.name, port: p.port })), [{ name: 'metrics', port: 9464 }]);
    const target = ports[0]?.targetPort;
    assert.ok((c.ports ?? []).some((p) => p.name === target || p.containerPort === target), `targetPort ${String(target)} is no container port`);
    const podLabels = at(only(list, 'Deployment'), 'spec', 'template', 'metadata', 'labels') as Record<string, string>;
    assertSelects(at(service, 'spec', 'selector'), podLabels, 'Service');
    const monitor = only(list, 'ServiceMonitor');
    assert.equal(monitor.apiVersion, 'monitoring.coreos.com/v1');
    assertSelects(at(monitor, 'spec', 'selector', 'matchLabels'), service.metadata.labels ?? {}, 'ServiceMonitor');
    assert.deepEqual((at(monitor, 'spec', 'endpoints') as Array<{ port: string; path: string }>).map((e) => [e.port, e.path]), [['metrics', '/metrics']]);
    assert.equal(only(list, 'PrometheusRule').apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(at(only(list, 'ConfigMap', 'kube-ovn-controller-dashboard'), 'metadata', 'labels', 'grafana_dashboard'), '1');
  });

  it('metrics-otlp pushes OTLP/HTTP protobuf to the in-cluster collector and opens no metrics port', () => {
    const list = objects('metrics-otlp');
    const c = controllerContainer(list);
    const [exporter, ...rest] = controllerConfig(c).metrics.exporters;
    assert.deepEqual(rest, []);
    assert.equal(exporter?.kind, 'otlp');
    if (exporter?.kind !== 'otlp') return;
    assert.equal(exporter.url, 'http://otel-collector.observability.svc:4318/v1/metrics');
    assert.equal(exporter.protocol, 'http/protobuf');
    // Both Prometheus exporters of otel/collector.yaml need cumulative; no deltatocumulative there.
    assert.equal(exporter.temporality, 'cumulative');
    assert.deepEqual((c.ports ?? []).map((p) => p.containerPort), [10660]);
    assert.deepEqual(list.filter((o) => o.kind === 'Service'), []);
  });
});

function assertSelects(selector: unknown, labels: Record<string, string>, what: string): void {
  assert.ok(selector !== null && typeof selector === 'object' && Object.keys(selector).length > 0, `${what}: empty selector`);
  for (const [key, value] of Object.entries(selector as Record<string, string>)) {
    assert.equal(labels[key], value, `${what} selects ${key}=${value}, the pods have ${labels[key] ?? 'nothing'}`);
  }
}
