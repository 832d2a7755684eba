import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Config, ExporterConfig } from '../../src/config/index.js';
import { setup } from './setup.js';
import type { Env } from './setup.js';

type Otlp = Extract<ExporterConfig, { kind: 'otlp' }>;

function otlpOf(config: Config): Otlp {
  const found = config.metrics.exporters.find((e): e is Otlp => e.kind === 'otlp');
  return found ?? assert.fail('no otlp exporter');
}

function otlp(env: Env): Otlp {
  return otlpOf(setup().ok([], { OTEL_METRICS_EXPORTER: 'otlp', ...env }));
}

describe('exporter selection', () => {
  const cases: [string, readonly string[], Env, readonly string[]][] = [
    ['defaults to prometheus, not the spec\'s otlp', [], {}, ['prometheus']],
    ['treats an empty list as the default', ['--metrics-exporter='], {}, ['prometheus']],
    ['collapses duplicates, keeping the first order', [], { OTEL_METRICS_EXPORTER: 'otlp, prometheus,otlp' }, ['otlp', 'prometheus']],
    ['takes none as no exporter', ['--metrics-exporter=none'], {}, []],
    ['turns metrics off with --enable-metrics=false', ['--enable-metrics=false'], {}, []],
    ['accepts --enable-metrics=false with an explicit none', ['--enable-metrics=false'], { OTEL_METRICS_EXPORTER: 'none' }, []],
    ['accepts ENABLE_METRICS=false when the flag picks none over an env exporter', ['--metrics-exporter=none'], { ENABLE_METRICS: 'false', OTEL_METRICS_EXPORTER: 'otlp' }, []],
    ['lets --enable-metrics=true win over ENABLE_METRICS=false', ['--enable-metrics=true'], { ENABLE_METRICS: 'false', OTEL_METRICS_EXPORTER: 'otlp' }, ['otlp']],
    ['registers nothing with OTEL_SDK_DISABLED=true', [], { OTEL_SDK_DISABLED: 'TRUE' }, []],
    ['reads anything but true in OTEL_SDK_DISABLED as false', [], { OTEL_SDK_DISABLED: 'yes' }, ['prometheus']],
    ['has console', [], { OTEL_METRICS_EXPORTER: 'console' }, ['console']],
  ];
  for (const [name, argv, env, kinds] of cases) {
    it(name, () => assert.deepEqual(setup().ok(argv, env).metrics.exporters.map((e) => e.kind), kinds));
  }

  it('warns when OTEL_SDK_DISABLED overrides an explicit exporter, and when its value is not a boolean', () => {
    const { warnings } = setup();
    assert.deepEqual(warnings(['--metrics-exporter=otlp'], { OTEL_SDK_DISABLED: 'true' }), [
      'OTEL_SDK_DISABLED is `true`: no metrics are exported although --metrics-exporter is `otlp`',
    ]);
    assert.deepEqual(warnings([], { OTEL_SDK_DISABLED: 'yes' }), ['OTEL_SDK_DISABLED: `yes` is not `true` or `false`; read as `false` (OTel spec)']);
    assert.deepEqual(warnings([], {}), []);
  });
});

describe('OTLP exporter settings', () => {
  it('uses the OTel defaults', () => {
    assert.deepEqual(otlp({}), {
      kind: 'otlp', url: 'http://localhost:4318/v1/metrics', protocol: 'http/protobuf', headers: {},
      requestTimeoutMs: 10_000, intervalMs: 60_000, exportTimeoutMs: 30_000, temporality: 'cumulative',
    });
  });

  const endpoints: [Env, string][] = [
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'http://collector:4318/v1/metrics'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'http://collector:4318/v1/metrics'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example/otlp' }, 'https://gw.example/otlp/v1/metrics'],
    [{ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://c:4318/custom' }, 'http://c:4318/custom'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m:4318/x/' }, 'http://m:4318/x/'],
  ];
  for (const [env, url] of endpoints) {
    it(`derives ${url} from ${JSON.stringify(env)}`, () => assert.equal(otlp(env).url, url));
  }

  it('takes the metrics protocol over the general one', () => {
    assert.equal(otlp({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).protocol, 'http/json');
    assert.equal(otlp({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' }).protocol, 'http/json');
  });

  it('merges metrics headers over general ones, percent-decoded and trimmed', () => {
    const headers = otlp({
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Basic%20abc, x-tenant = a ,x-keep=1',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-tenant=b%2Cc,authorization=Bearer%20t%3D%3D',
    }).headers;
    assert.deepEqual(headers, { authorization: 'Bearer t==', 'x-tenant': 'b,c', 'x-keep': '1' });
  });

  it('keeps everything after the first = in a value and skips empty members', () => {
    assert.deepEqual(otlp({ OTEL_EXPORTER_OTLP_HEADERS: 'k=a=b,,' }).headers, { k: 'a=b' });
  });

  it('takes the metrics timeout over the general one', () => {
    assert.equal(otlp({ OTEL_EXPORTER_OTLP_TIMEOUT: '5000' }).requestTimeoutMs, 5_000);
    assert.equal(otlp({ OTEL_EXPORTER_OTLP_TIMEOUT: '5000', OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '7000' }).requestTimeoutMs, 7_000);
  });

  it('reads the temporality preference in any case', () => {
    assert.equal(otlp({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'Delta' }).temporality, 'delta');
    assert.equal(otlp({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'LOWMEMORY' }).temporality, 'lowmemory');
  });

  it('reads the push period, lowering an unset timeout to a shorter interval', () => {
    const given = otlp({ OTEL_METRIC_EXPORT_INTERVAL: '15000', OTEL_METRIC_EXPORT_TIMEOUT: '15000' });
    assert.deepEqual([given.intervalMs, given.exportTimeoutMs], [15_000, 15_000]);
    const lowered = otlp({ OTEL_METRIC_EXPORT_INTERVAL: '5000' });
    assert.deepEqual([lowered.intervalMs, lowered.exportTimeoutMs], [5_000, 5_000]);
  });

  it('gives console the same push period', () => {
    const config = setup().ok(['--metrics-exporter=console'], { OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_METRIC_EXPORT_TIMEOUT: '500' });
    assert.deepEqual(config.metrics.exporters, [{ kind: 'console', intervalMs: 1_000, exportTimeoutMs: 500 }]);
  });
});

describe('the /metrics hint on the health port', () => {
  const hints: [readonly string[], Env, string][] = [
    [[], {}, 'metrics are served at :9464/metrics'],
    [['--metrics-port=9100'], {}, 'metrics are served at :9100/metrics'],
    [['--metrics-exporter=otlp'], {}, 'metrics are pushed with OTLP'],
    [['--metrics-exporter=otlp,prometheus'], {}, 'metrics are served at :9464/metrics and pushed with OTLP'],
    [['--metrics-exporter=console'], {}, 'metrics are printed to stdout'],
    [['--metrics-exporter=console,prometheus'], {}, 'metrics are served at :9464/metrics and printed to stdout'],
    [['--metrics-exporter=console,otlp,prometheus'], {}, 'metrics are served at :9464/metrics, pushed with OTLP and printed to stdout'],
    [['--metrics-exporter=none'], {}, 'metrics are disabled'],
    [[], { ENABLE_METRICS: 'false' }, 'metrics are disabled'],
    [[], { OTEL_SDK_DISABLED: 'true' }, 'metrics are disabled'],
  ];
  for (const [argv, env, hint] of hints) {
    it(`says "${hint}" for ${JSON.stringify({ argv, env })}`, () => assert.equal(setup().ok(argv, env).metrics.hint, hint));
  }
});

describe('resource', () => {
  it('parses OTEL_RESOURCE_ATTRIBUTES percent-decoded', () => {
    const m = setup().ok([], { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod, team=net%20ops,k8s.cluster.name=a%2Cb' }).metrics;
    assert.deepEqual(m.resourceAttributes, { 'deployment.environment': 'prod', team: 'net ops', 'k8s.cluster.name': 'a,b' });
    assert.equal(m.serviceName, 'kube-ovn-controller');
  });

  it('keeps a `__proto__` key as data', () => {
    const attrs = setup().ok([], { OTEL_RESOURCE_ATTRIBUTES: '__proto__=x,a=b' }).metrics.resourceAttributes;
    assert.deepEqual(Object.entries(attrs), [['__proto__', 'x'], ['a', 'b']]);
  });

  it('lets service.name from the attributes win over the default but not over OTEL_SERVICE_NAME', () => {
    const { ok } = setup();
    assert.equal(ok([], { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' }).metrics.serviceName, 'from-attrs');
    assert.equal(ok([], { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs', OTEL_SERVICE_NAME: 'explicit' }).metrics.serviceName, 'explicit');
  });
});
