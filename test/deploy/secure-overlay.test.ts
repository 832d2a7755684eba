// Issue 13: the metrics-prometheus-secure overlay turns --secure-serving on and scrapes https with a token.
import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import { controllerConfig } from './controller-config.js';
import { at, controllerContainer, kubectlUnavailable, only, render } from './render.js';
import type { KubeObject } from './render.js';

const skip = kubectlUnavailable();

describe('deploy/overlays/metrics-prometheus-secure', { skip }, () => {
  let objects: KubeObject[] = [];
  before(async () => {
    objects = await render('deploy/overlays/metrics-prometheus-secure');
  });

  it('runs the controller with secure serving on :9464, a self-signed certificate naming the pod IPs', () => {
    const config = controllerConfig(controllerContainer(objects));
    const [exporter] = config.metrics.exporters;
    assert.equal(exporter?.kind, 'prometheus');
    if (exporter?.kind !== 'prometheus') return;
    assert.equal(exporter.port, 9464);
    assert.deepEqual(exporter.secure, {
      certFile: '', keyFile: '', minVersion: 'TLSv1.2', ciphers: '',
      selfSignedNames: ['localhost', '127.0.0.1', '::1', 'test-host', '192.168.0.11', 'fd00:10::11'],
    });
    assert.equal(config.metrics.hint, 'metrics are served at https://:9464/metrics (bearer token required)');
  });

  it('keeps kubelet probes on the plain-HTTP health port', () => {
    const c = controllerContainer(objects);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      assert.equal(at(c, probe, 'httpGet', 'port'), 10660, probe);
      assert.notEqual(at(c, probe, 'httpGet', 'scheme'), 'HTTPS', probe);
    }
  });

  it('has the ServiceMonitor scrape https with the Prometheus service-account token', () => {
    const endpoints = at(only(objects, 'ServiceMonitor'), 'spec', 'endpoints') as Array<Record<string, unknown>>;
    assert.deepEqual(endpoints.map((e) => [e['port'], e['path'], e['scheme'], e['bearerTokenFile']]), [
      ['metrics', '/metrics', 'https', '/var/run/secrets/kubernetes.io/serviceaccount/token'],
    ]);
    assert.deepEqual(endpoints[0]?.['tlsConfig'], { insecureSkipVerify: true });
  });

  it('binds the auth-delegator rules to the controller and nothing else to anyone new', () => {
    const binding = only(objects, 'ClusterRoleBinding', 'kube-ovn-controller-auth-delegator');
    assert.deepEqual(at(binding, 'subjects'), [{ kind: 'ServiceAccount', name: 'kube-ovn-controller', namespace: 'kube-system' }]);
    assert.deepEqual(objects.filter((o) => o.kind === 'ClusterRoleBinding').map((o) => o.metadata.name).sort(), ['kube-ovn-controller', 'kube-ovn-controller-auth-delegator']);
  });
});
