import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { setup } from './setup.js';
import type { Env } from './setup.js';

/** [argv, env, exact message]: one line each, naming the setting as given, the value in backticks, what is accepted. */
const ERRORS: readonly (readonly [readonly string[], Env, string])[] = [
  [['--metrics-port=abc'], {}, '--metrics-port: expected a port 1-65535, got `abc`'],
  [[], { OTEL_EXPORTER_PROMETHEUS_PORT: '70000' }, 'OTEL_EXPORTER_PROMETHEUS_PORT: expected a port 1-65535, got `70000`'],
  [['--health-port=0'], {}, '--health-port: expected a port 1-65535, got `0`'],
  [[], { HEALTH_PORT: '1.5' }, 'HEALTH_PORT: expected a port 1-65535, got `1.5`'],
  [['--health-port='], {}, '--health-port: expected a port 1-65535, got ``'],
  [['--health-bind-address=my-host'], {}, '--health-bind-address: expected an IPv4 or IPv6 address or `localhost`, got `my-host`'],
  [[], { OTEL_EXPORTER_PROMETHEUS_HOST: '300.1.1.1' }, 'OTEL_EXPORTER_PROMETHEUS_HOST: expected an IPv4 or IPv6 address or `localhost`, got `300.1.1.1`'],
  [['--liveness-path=live'], {}, '--liveness-path: expected a path starting with `/` of letters, digits and `-._~/`, got `live`'],
  [[], { READINESS_PATH: '/ready?x=1' }, 'READINESS_PATH: expected a path starting with `/` of letters, digits and `-._~/`, got `/ready?x=1`'],
  [['--liveness-path=/metrics'], {}, '--liveness-path: `/metrics` collides with `/metrics`, which the health app already serves; choose another path'],
  [['--liveness-path=/readyz'], {}, '--liveness-path: `/readyz` collides with `/readyz`, which the health app already serves; choose another path'],
  [['--readiness-path=/livez'], {}, '--readiness-path: `/livez` collides with `/livez`, which the health app already serves; choose another path'],
  [['--readiness-path=/livez/ping'], {}, '--readiness-path: `/livez/ping` collides with `/livez`, which the health app already serves; choose another path'],
  [['--liveness-path=/probe', '--readiness-path=/probe'], {}, '--readiness-path: `/probe` is also --liveness-path; a path can serve liveness or readiness, not both'],
  [['--event-loop-block-threshold=5'], {}, '--event-loop-block-threshold: expected a duration like `500ms`, `30s`, `1m30s` or `2h` (a unit is required), got `5`'],
  [[], { RECONCILE_STALL_TIMEOUT: '0' }, 'RECONCILE_STALL_TIMEOUT: expected a duration greater than 0 (e.g. `30s`), got `0`'],
  [['--shutdown-timeout=-1s'], {}, '--shutdown-timeout: expected a duration greater than 0 (e.g. `30s`), got `-1s`'],
  [['--metrics-exporter=jaeger'], {}, '--metrics-exporter: expected a comma list of `none`, `prometheus`, `otlp`, `console`, got `jaeger`'],
  [[], { OTEL_METRICS_EXPORTER: 'none,otlp' }, 'OTEL_METRICS_EXPORTER: `none` cannot be combined with other exporters, got `none,otlp`'],
  [['--enable-metrics=maybe'], {}, '--enable-metrics: expected `true`, `false`, `1` or `0`, got `maybe`'],
  [[], { ENABLE_METRICS: 'false', OTEL_METRICS_EXPORTER: 'prometheus' }, 'ENABLE_METRICS: `false` disables metrics but OTEL_METRICS_EXPORTER is `prometheus`; remove one of them or set OTEL_METRICS_EXPORTER to `none`'],
  [['--enable-metrics=false', '--metrics-exporter=otlp'], {}, '--enable-metrics: `false` disables metrics but --metrics-exporter is `otlp`; remove one of them or set --metrics-exporter to `none`'],
  [['--metrics-port=10660'], {}, '--metrics-port: `10660` is also --health-port (default `10660`) and the addresses overlap (`::` and `::`); health and metrics need different ports'],
  [['--health-port=9464', '--health-bind-address=127.0.0.1'], { OTEL_EXPORTER_PROMETHEUS_HOST: 'localhost' }, '--health-port: `9464` is also --metrics-port (default `9464`) and the addresses overlap (`127.0.0.1` and `localhost`); health and metrics need different ports'],
  [['--health-port=7000', '--metrics-port=7000', '--health-bind-address=10.0.0.1', '--metrics-bind-address=::'], {}, '--metrics-port: `7000` is also --health-port `7000` and the addresses overlap (`::` and `10.0.0.1`); health and metrics need different ports'],
  [['--kube-config=/x'], {}, '--kube-config: unknown flag; did you mean --kubeconfig? (see --help for the list)'],
  [['--worker_num=3'], {}, '--worker_num: unknown flag; did you mean --worker-num? (see --help for the list)'],
  [['--frobnicate'], {}, '--frobnicate: unknown flag (see --help for the list)'],
  [['-v=3'], {}, '-v: unknown flag (see --help for the list)'],
  [['serve'], {}, 'unexpected argument `serve`: kube-ovn-controller takes only --flags (see --help)'],
  [['--kubeconfig'], {}, '--kubeconfig: missing value (write --kubeconfig=<value> or --kubeconfig <value>)'],
  [['--kubeconfig', '--leader-elect'], {}, '--kubeconfig: missing value (write --kubeconfig=<value> or --kubeconfig <value>)'],
  [['--worker-num=0'], {}, '--worker-num: expected an integer 1-1024, got `0`'],
  [[], { WORKER_NUM: '2000' }, 'WORKER_NUM: expected an integer 1-1024, got `2000`'],
  [['--log-level=verbose'], {}, '--log-level: expected one of `trace`, `debug`, `info`, `warn`, `error`, `fatal`, `silent`, got `verbose`'],
  [['--leader-elect-lease-duration=15s'], {}, '--leader-elect-lease-duration: `15s` conflicts with --leader-elect-renew-deadline (default `20s`); the lease duration must be longer than the renew deadline'],
  [['--leader-elect-renew-deadline=30s'], {}, '--leader-elect-renew-deadline: `30s` conflicts with --leader-elect-lease-duration (default `30s`); the lease duration must be longer than the renew deadline'],
  [['--leader-elect-retry-period=17s'], {}, '--leader-elect-retry-period: `17s` conflicts with --leader-elect-renew-deadline (default `20s`); the renew deadline must be longer than 1.2 x the retry period (client-go)'],
  [[], { LEADER_ELECT_RENEW_DEADLINE: '7s' }, 'LEADER_ELECT_RENEW_DEADLINE: `7s` conflicts with --leader-elect-retry-period (default `6s`); the renew deadline must be longer than 1.2 x the retry period (client-go)'],
  [['--leader-elect-retry-period=0'], {}, '--leader-elect-retry-period: expected a duration greater than 0 (e.g. `30s`), got `0`'],
  [['--default-ls=Bad_Name'], {}, '--default-ls: expected a Kubernetes object name (lower-case letters, digits, `-` and `.`, at most 253 characters), got `Bad_Name`'],
  [['--default-cidr=10.16.0.0/33'], {}, '--default-cidr: expected a CIDR like `10.16.0.0/16`, or an IPv4 and an IPv6 CIDR separated by a comma (dual stack), got `10.16.0.0/33`'],
  [[], { DEFAULT_CIDR: '10.0.0.0/8,11.0.0.0/8' }, 'DEFAULT_CIDR: expected a CIDR like `10.16.0.0/16`, or an IPv4 and an IPv6 CIDR separated by a comma (dual stack), got `10.0.0.0/8,11.0.0.0/8`'],
  [['--default-cidr=10.16.0.0'], {}, '--default-cidr: expected a CIDR like `10.16.0.0/16`, or an IPv4 and an IPv6 CIDR separated by a comma (dual stack), got `10.16.0.0`'],
  [['--default-gateway=10.16.0.300'], {}, '--default-gateway: expected an IP address, or an IPv4 and an IPv6 address separated by a comma, got `10.16.0.300`'],
  [['--default-gateway=fd00::1'], {}, '--default-gateway: `fd00::1` has an IPv6 address but --default-cidr has no IPv6 CIDR'],
  [['--default-exclude-ips=10.16.0.1,10.16.0.5..fd00::1'], {}, '--default-exclude-ips: expected a comma list of IP addresses and `first..last` ranges of one family, got `10.16.0.5..fd00::1` in `10.16.0.1,10.16.0.5..fd00::1`'],
  [[], { DEFAULT_EXCLUDE_IPS: '10.16.0.0/24' }, 'DEFAULT_EXCLUDE_IPS: expected a comma list of IP addresses and `first..last` ranges of one family, got `10.16.0.0/24` in `10.16.0.0/24`'],
  [[], { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT: expected an http:// or https:// URL, got `collector:4318`'],
  [[], { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'ftp://c/v1/metrics' }, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: expected an http:// or https:// URL, got `ftp://c/v1/metrics`'],
  [[], { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL: `grpc` is not supported (only OTLP over HTTP is built in); use `http/protobuf` or `http/json`'],
  [[], { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/xml' }, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: expected `http/protobuf` or `http/json`, got `http/xml`'],
  [[], { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TIMEOUT: '10s' }, 'OTEL_EXPORTER_OTLP_TIMEOUT: expected whole milliseconds 1-2147483647 (OTel variables take plain milliseconds, no unit), got `10s`'],
  [[], { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '0' }, 'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: expected whole milliseconds 1-2147483647, got `0`'],
  [[], { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'sometimes' }, 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: expected `cumulative`, `delta` or `lowmemory`, got `sometimes`'],
  [[], { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_HEADERS: 'x-a=1,Bearer abc' }, 'OTEL_EXPORTER_OTLP_HEADERS: expected a comma list of `key=value` pairs, member 2 of 2 is not one (value withheld)'],
  [[], { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-key=%ZZsecret' }, 'OTEL_EXPORTER_OTLP_METRICS_HEADERS: expected percent-encoding like `%20` in the value of `x-key`, got a malformed escape'],
  [[], { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_HEADERS: 'bad header=1' }, 'OTEL_EXPORTER_OTLP_HEADERS: expected HTTP header names (letters, digits and !#$%&\'*+-.^_`|~), got `bad header`'],
  [[], { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_HEADERS: 'x-key=a%0Ab' }, 'OTEL_EXPORTER_OTLP_HEADERS: the value of header `x-key` contains a control character (value withheld)'],
  [[], { OTEL_METRICS_EXPORTER: 'console', OTEL_METRIC_EXPORT_INTERVAL: 'soon' }, 'OTEL_METRIC_EXPORT_INTERVAL: expected whole milliseconds 1-2147483647 (OTel variables take plain milliseconds, no unit), got `soon`'],
  [[], { OTEL_METRICS_EXPORTER: 'otlp', OTEL_METRIC_EXPORT_INTERVAL: '10000', OTEL_METRIC_EXPORT_TIMEOUT: '20000' }, 'OTEL_METRIC_EXPORT_TIMEOUT: `20000` ms exceeds OTEL_METRIC_EXPORT_INTERVAL `10000` ms; the export timeout must not exceed the interval'],
  [[], { OTEL_METRICS_EXPORTER: 'otlp', OTEL_METRIC_EXPORT_TIMEOUT: '90000' }, 'OTEL_METRIC_EXPORT_TIMEOUT: `90000` ms exceeds OTEL_METRIC_EXPORT_INTERVAL (default `60000`) ms; the export timeout must not exceed the interval'],
  [[], { OTEL_RESOURCE_ATTRIBUTES: 'team=net,oops' }, 'OTEL_RESOURCE_ATTRIBUTES: expected a comma list of `key=value` pairs, got `oops`'],
  [[], { OTEL_RESOURCE_ATTRIBUTES: '=x' }, 'OTEL_RESOURCE_ATTRIBUTES: expected a comma list of `key=value` pairs, got `=x`'],
  [['--secure-serving=yes'], {}, '--secure-serving: expected `true`, `false`, `1` or `0`, got `yes`'],
  [['--tls-min-version=1.2'], {}, '--tls-min-version: expected one of `VersionTLS10`, `VersionTLS11`, `VersionTLS12`, `VersionTLS13`, got `1.2`'],
  [[], { TLS_MIN_VERSION: 'TLSv1.2' }, 'TLS_MIN_VERSION: expected one of `VersionTLS10`, `VersionTLS11`, `VersionTLS12`, `VersionTLS13`, got `TLSv1.2`'],
  [['--tls-cipher-suites=ECDHE-RSA-AES128-GCM-SHA256'], {}, '--tls-cipher-suites: expected a comma list of Go/IANA cipher suite names like `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`, got `ECDHE-RSA-AES128-GCM-SHA256`'],
  [['--tls-cipher-suites=TLS_RSA_WITH_RC4_128_SHA'], {}, '--tls-cipher-suites: `TLS_RSA_WITH_RC4_128_SHA` (OpenSSL RC4-SHA) is not available in this Node.js/OpenSSL build'],
  [['--secure-serving', '--tls-cert-file=/tls/tls.crt'], {}, '--tls-cert-file: `/tls/tls.crt` is given but --tls-private-key-file is not; give both, or neither for a self-signed certificate'],
  [[], { TLS_PRIVATE_KEY_FILE: '/tls/tls.key' }, 'TLS_PRIVATE_KEY_FILE: `/tls/tls.key` is given but --tls-cert-file is not; give both, or neither for a self-signed certificate'],
  [['--secure-serving'], { POD_IPS: '10.0.0.1,fd00::zz' }, 'POD_IPS: expected a comma list of IP addresses, got `10.0.0.1,fd00::zz`'],
  [[], { OTEL_RESOURCE_ATTRIBUTES: 'k=%E0%A4%A' }, 'OTEL_RESOURCE_ATTRIBUTES: expected percent-encoding like `%20` in the value of `k`, got a malformed escape'],
];

describe('configuration errors', () => {
  for (const [argv, env, message] of ERRORS) {
    it(`stops on ${JSON.stringify({ argv, env })}`, () => {
      const { error } = setup();
      assert.equal(error(argv, env), message);
    });
  }

  it('keeps every message on one line, even for a value with a newline', () => {
    const { error } = setup();
    const message = error(['--kubeconfig=/x', '--log-level=info\nfatal']);
    assert.equal(message, '--log-level: expected one of `trace`, `debug`, `info`, `warn`, `error`, `fatal`, `silent`, got `info\\nfatal`');
    for (const [argv, env] of ERRORS) assert.doesNotMatch(error(argv, env), /\n/);
  });

  it('never prints header values, which usually hold credentials', () => {
    const { error } = setup();
    const message = error([], { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%ZZtoken' });
    assert.doesNotMatch(message, /Bearer|token/);
  });

  it('ignores OTLP variables when no push exporter is chosen, since pods often inherit them', () => {
    const { ok } = setup();
    const config = ok([], { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'nope', OTEL_METRIC_EXPORT_INTERVAL: 'x' });
    assert.deepEqual(config.metrics.exporters.map((e) => e.kind), ['prometheus']);
  });
});
