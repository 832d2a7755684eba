import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { controllerConfig, defaultConfig } from './controller-config.js';
import { at, controllerContainer, kubectlUnavailable, only, readRepoFile, render } from './render.js';

function setup(): { config: unknown; hostPort(endpoint: string): { host: string; port: number } } {
  return {
    config: parse(readRepoFile('otel/collector.yaml')) as unknown,
    hostPort: (endpoint) => {
      const m = /^(.*):(\d+)$/.exec(endpoint);
      if (!m) throw new Error(`endpoint without a port: ${endpoint}`);
      return { host: m[1] ?? '', port: Number(m[2]) };
    },
  };
}

/** The otlp exporter the controller builds from `env` (throws when it builds none). */
function otlpExporter(config: ReturnType<typeof defaultConfig>): { url: URL; protocol: string; temporality: string } {
  const exporter = config.metrics.exporters.find((e) => e.kind === 'otlp');
  if (exporter?.kind !== 'otlp') throw new Error('no otlp exporter');
  return { url: new URL(exporter.url), protocol: exporter.protocol, temporality: exporter.temporality };
}

describe('otel/collector.yaml', () => {
  it('receives OTLP/HTTP on the port and path the controller pushes to by default', () => {
    const { config, hostPort } = setup();
    const pushed = otlpExporter(defaultConfig({ OTEL_METRICS_EXPORTER: 'otlp' }));
    const http = at(config, 'receivers', 'otlp', 'protocols', 'http') as { endpoint: string; metrics_url_path?: string };
    assert.equal(hostPort(http.endpoint).port, Number(pushed.url.port));
    assert.equal(http.metrics_url_path ?? '/v1/metrics', pushed.url.pathname);
    assert.equal(hostPort(http.endpoint).host, '${env:MY_POD_IP}');
    // The otlp receiver's HTTP side accepts both encodings the controller can send.
    assert.ok(['http/protobuf', 'http/json'].includes(pushed.protocol));
    assert.equal(at(config, 'receivers', 'otlp', 'protocols', 'grpc'), undefined, 'the controller has no gRPC exporter');
  });

  it('runs memory_limiter first, then k8sattributes and batch, into both Prometheus exporters', () => {
    const { config } = setup();
    const pipeline = at(config, 'service', 'pipelines', 'metrics') as Record<string, string[]>;
    assert.deepEqual(pipeline, { receivers: ['otlp'], processors: ['memory_limiter', 'k8sattributes', 'batch'], exporters: ['prometheus', 'prometheusremotewrite'] });
    for (const name of [...(pipeline['processors'] ?? []), ...(pipeline['exporters'] ?? [])]) {
      const section = name.startsWith('prom') ? 'exporters' : 'processors';
      assert.notEqual(at(config, section, name), undefined, `${name} is not configured`);
    }
  });

  it('keeps cumulative temporality end to end and adds no unit suffixes to the names', () => {
    const { config, hostPort } = setup();
    assert.equal(otlpExporter(defaultConfig({ OTEL_METRICS_EXPORTER: 'otlp' })).temporality, 'cumulative');
    assert.equal(at(config, 'processors', 'deltatocumulative'), undefined);
    for (const exporter of ['prometheus', 'prometheusremotewrite']) {
      assert.equal(at(config, 'exporters', exporter, 'translation_strategy'), 'UnderscoreEscapingWithoutSuffixes', exporter);
    }
    assert.equal(hostPort(at(config, 'exporters', 'prometheus', 'endpoint') as string).port, 8889);
  });

  it('associates pods by the resource attributes the controller sets from the Downward API', () => {
    const { config } = setup();
    const sources = (at(config, 'processors', 'k8sattributes', 'pod_association', 0, 'sources') as Array<{ from: string; name: string }>).map((s) => s.name);
    const resource = defaultConfig({ POD_NAME: 'p', POD_NAMESPACE: 'kube-system', OTEL_RESOURCE_ATTRIBUTES: 'k8s.pod.name=p,k8s.namespace.name=kube-system' }).metrics.resourceAttributes;
    for (const name of sources) assert.ok(name in resource, `${name} is not sent by the controller`);
  });

  it('is what the metrics-otlp overlay points at, through the collector Service', { skip: kubectlUnavailable() }, async () => {
    const { config, hostPort } = setup();
    const collector = await render('otel');
    const service = only(collector, 'Service', 'otel-collector');
    const pushed = otlpExporter(controllerConfig(controllerContainer(await render('deploy/overlays/metrics-otlp'))));
    assert.equal(pushed.url.hostname, `${service.metadata.name}.${service.metadata.namespace ?? ''}.svc`);
    const port = (at(service, 'spec', 'ports') as Array<{ port: number; targetPort: string }>).find((p) => p.port === Number(pushed.url.port));
    assert.ok(port, `Service has no port ${pushed.url.port}`);
    const deployment = only(collector, 'Deployment', 'otel-collector');
    const container = (at(deployment, 'spec', 'template', 'spec', 'containers') as Array<{ ports: Array<{ name: string; containerPort: number }>; env: Array<{ name: string }> }>)[0];
    const target = container?.ports.find((p) => p.name === port.targetPort);
    assert.equal(target?.containerPort, hostPort(at(config, 'receivers', 'otlp', 'protocols', 'http', 'endpoint') as string).port);
    // Every ${env:X} the config reads is set on the container.
    const used = [...readRepoFile('otel/collector.yaml').matchAll(/\$\{env:([A-Z_]+)\}/g)].map((m) => m[1]);
    const set = new Set(container?.env.map((e) => e.name));
    assert.deepEqual(used.filter((v) => !set.has(v ?? '')), []);
    // The ConfigMap the Deployment mounts is the generated one carrying collector.yaml unchanged.
    const mounted = at(deployment, 'spec', 'template', 'spec', 'volumes', 0, 'configMap', 'name');
    assert.deepEqual(parse(at(only(collector, 'ConfigMap', String(mounted)), 'data', 'collector.yaml') as string), config);
  });
});
