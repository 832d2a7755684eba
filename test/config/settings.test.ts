import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Config } from '../../src/config/index.js';
import { SETTINGS } from '../../src/config/settings.js';
import type { SettingSpec } from '../../src/config/settings.js';
import { OVN_CASES, OVN_DECOYS } from './ovn-cases.js';
import { setup } from './setup.js';

interface Case {
  readonly flag: string;
  readonly env: string;
  readonly raw: string;
  readonly read: (c: Config) => unknown;
  readonly want: unknown;
  /** Environment the case needs besides the setting itself. */
  readonly extra?: Record<string, string>;
}

const SETTINGS_BY_FLAG = new Map<string, SettingSpec>(Object.values(SETTINGS).flatMap((s: SettingSpec) => (s.flag === undefined ? [] : [[s.flag, s] as const])));
const firstExporter = (c: Config) => c.metrics.exporters[0];
const secure = (c: Config) => {
  const e = c.metrics.exporters[0];
  return e?.kind === 'prometheus' ? e.secure : undefined;
};

const CASES: readonly Case[] = [
  { flag: '--health-port', env: 'HEALTH_PORT', raw: '8080', read: (c) => c.health.port, want: 8080 },
  { flag: '--health-bind-address', env: 'HEALTH_BIND_ADDRESS', raw: '::1', read: (c) => c.health.host, want: '::1' },
  { flag: '--liveness-path', env: 'LIVENESS_PATH', raw: '/live', read: (c) => c.health.extraLivenessPaths, want: ['/live'] },
  { flag: '--readiness-path', env: 'READINESS_PATH', raw: '/ready', read: (c) => c.health.extraReadinessPaths, want: ['/ready'] },
  { flag: '--event-loop-block-threshold', env: 'EVENT_LOOP_BLOCK_THRESHOLD', raw: '2s', read: (c) => c.health.eventLoopBlockThresholdMs, want: 2_000 },
  { flag: '--reconcile-stall-timeout', env: 'RECONCILE_STALL_TIMEOUT', raw: '1m30s', read: (c) => c.reconcileStallMs, want: 90_000 },
  { flag: '--metrics-exporter', env: 'OTEL_METRICS_EXPORTER', raw: 'none', read: (c) => c.metrics.exporters, want: [] },
  { flag: '--enable-metrics', env: 'ENABLE_METRICS', raw: 'false', read: (c) => c.metrics.exporters, want: [] },
  { flag: '--metrics-bind-address', env: 'OTEL_EXPORTER_PROMETHEUS_HOST', raw: '127.0.0.1', read: firstExporter, want: { kind: 'prometheus', host: '127.0.0.1', port: 9464 } },
  { flag: '--metrics-port', env: 'OTEL_EXPORTER_PROMETHEUS_PORT', raw: '9090', read: firstExporter, want: { kind: 'prometheus', host: '::', port: 9090 } },
  { flag: '--secure-serving', env: 'SECURE_SERVING', raw: 'true', read: (c) => secure(c)?.minVersion, want: 'TLSv1.2' },
  { flag: '--tls-cert-file', env: 'TLS_CERT_FILE', raw: '/tls/tls.crt', read: (c) => secure(c)?.certFile, want: '/tls/tls.crt', extra: { SECURE_SERVING: 'true', TLS_PRIVATE_KEY_FILE: '/tls/tls.key' } },
  { flag: '--tls-private-key-file', env: 'TLS_PRIVATE_KEY_FILE', raw: '/tls/tls.key', read: (c) => secure(c)?.keyFile, want: '/tls/tls.key', extra: { SECURE_SERVING: 'true', TLS_CERT_FILE: '/tls/tls.crt' } },
  { flag: '--tls-min-version', env: 'TLS_MIN_VERSION', raw: 'VersionTLS13', read: (c) => secure(c)?.minVersion, want: 'TLSv1.3', extra: { SECURE_SERVING: 'true' } },
  { flag: '--tls-cipher-suites', env: 'TLS_CIPHER_SUITES', raw: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305', read: (c) => secure(c)?.ciphers, want: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305', extra: { SECURE_SERVING: 'true' } },
  { flag: '--kubeconfig', env: 'KUBECONFIG', raw: '/etc/kube/config', read: (c) => c.kubeconfig, want: '/etc/kube/config' },
  { flag: '--leader-elect', env: 'LEADER_ELECT', raw: 'false', read: (c) => c.leaderElection.enabled, want: false },
  { flag: '--leader-elect-lease-duration', env: 'LEADER_ELECT_LEASE_DURATION', raw: '1m', read: (c) => c.leaderElection.leaseDurationMs, want: 60_000 },
  { flag: '--leader-elect-renew-deadline', env: 'LEADER_ELECT_RENEW_DEADLINE', raw: '25s', read: (c) => c.leaderElection.renewDeadlineMs, want: 25_000 },
  { flag: '--leader-elect-retry-period', env: 'LEADER_ELECT_RETRY_PERIOD', raw: '2500ms', read: (c) => c.leaderElection.retryPeriodMs, want: 2_500 },
  { flag: '--default-ls', env: 'DEFAULT_LS', raw: 'my-subnet', read: (c) => c.defaultSubnet.name, want: 'my-subnet' },
  { flag: '--default-cidr', env: 'DEFAULT_CIDR', raw: '10.0.0.0/8,fd00::/64', read: (c) => c.defaultSubnet.cidr, want: '10.0.0.0/8,fd00::/64' },
  { flag: '--default-gateway', env: 'DEFAULT_GATEWAY', raw: '10.16.0.254', read: (c) => c.defaultSubnet.gateway, want: '10.16.0.254' },
  { flag: '--default-exclude-ips', env: 'DEFAULT_EXCLUDE_IPS', raw: '10.16.0.2,10.16.0.10..10.16.0.20', read: (c) => c.defaultSubnet.excludeIps, want: ['10.16.0.2', '10.16.0.10..10.16.0.20'] },
  { flag: '--worker-num', env: 'WORKER_NUM', raw: '16', read: (c) => c.workerNum, want: 16 },
  { flag: '--log-level', env: 'LOG_LEVEL', raw: 'debug', read: (c) => c.logLevel, want: 'debug' },
  { flag: '--shutdown-timeout', env: 'SHUTDOWN_TIMEOUT', raw: '25s', read: (c) => c.shutdownTimeoutMs, want: 25_000 },
  ...OVN_CASES,
];

describe('every setting', () => {
  for (const c of CASES) {
    it(`reads ${c.flag}=${c.raw}`, () => {
      const { ok } = setup({ env: c.extra });
      assert.deepEqual(c.read(ok([`${c.flag}=${c.raw}`])), c.want);
    });
    if (SETTINGS_BY_FLAG.get(c.flag)?.boolean === true) {
      it(`refuses ${c.flag} ${c.raw} (a boolean takes its value only after =)`, () => {
        const { error } = setup();
        assert.equal(error([c.flag, c.raw]), `${c.flag}: a boolean flag takes its value after \`=\` (${c.flag}=${c.raw}), got \`${c.raw}\` as a separate argument`);
      });
    } else {
      it(`reads ${c.flag} ${c.raw} (separate argument)`, () => {
        const { ok } = setup({ env: c.extra });
        assert.deepEqual(c.read(ok([c.flag, c.raw])), c.want);
      });
    }
    it(`reads ${c.env}=${c.raw}`, () => {
      const { ok } = setup({ env: c.extra });
      assert.deepEqual(c.read(ok([], { [c.env]: c.raw })), c.want);
    });
  }

  it('covers every setting that has a flag', () => {
    const flags = [...SETTINGS_BY_FLAG.keys()];
    assert.deepEqual(new Set(CASES.map((c) => c.flag)), new Set(flags));
  });

  it('lets the flag win over the environment variable for every setting', () => {
    for (const c of CASES) {
      const { ok } = setup({ env: c.extra });
      const config = ok([`${c.flag}=${c.raw}`], { [c.env]: envDecoy(c.env) });
      assert.deepEqual(c.read(config), c.want, c.flag);
    }
  });

  it('treats an empty environment variable as unset', () => {
    const { ok } = setup();
    const config = ok([], { HEALTH_PORT: '', OTEL_METRICS_EXPORTER: '', LOG_LEVEL: '', ENABLE_METRICS: '' });
    assert.equal(config.health.port, 10660);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.metrics.exporters[0]?.kind, 'prometheus');
  });
});

/** A valid value different from each case's `raw`, to prove the flag wins. */
function envDecoy(env: string): string {
  const decoys: Record<string, string> = {
    HEALTH_PORT: '8181', HEALTH_BIND_ADDRESS: '127.0.0.1', LIVENESS_PATH: '/l2', READINESS_PATH: '/r2',
    EVENT_LOOP_BLOCK_THRESHOLD: '9s', RECONCILE_STALL_TIMEOUT: '9m', OTEL_METRICS_EXPORTER: 'prometheus', ENABLE_METRICS: 'true',
    OTEL_EXPORTER_PROMETHEUS_HOST: '::', OTEL_EXPORTER_PROMETHEUS_PORT: '9999', KUBECONFIG: '/other', LEADER_ELECT: 'true',
    LEADER_ELECT_LEASE_DURATION: '45s', LEADER_ELECT_RENEW_DEADLINE: '21s', LEADER_ELECT_RETRY_PERIOD: '3s', DEFAULT_LS: 'other',
    DEFAULT_CIDR: '192.168.0.0/16', DEFAULT_GATEWAY: '10.16.0.1', DEFAULT_EXCLUDE_IPS: '10.16.0.3', WORKER_NUM: '7',
    LOG_LEVEL: 'error', SHUTDOWN_TIMEOUT: '3s', SECURE_SERVING: 'false', TLS_CERT_FILE: '/other.crt', TLS_PRIVATE_KEY_FILE: '/other.key',
    TLS_MIN_VERSION: 'VersionTLS12', TLS_CIPHER_SUITES: 'TLS_AES_128_GCM_SHA256',
    ...OVN_DECOYS,
  };
  return decoys[env] ?? assert.fail(`no decoy for ${env}`);
}

describe('defaults and the Downward API', () => {
  it('uses the documented defaults when nothing is given', () => {
    const { ok } = setup();
    const c = ok();
    assert.deepEqual(c.health, { host: '::', port: 10660, extraLivenessPaths: [], extraReadinessPaths: [], eventLoopBlockThresholdMs: 5_000 });
    assert.deepEqual(c.metrics.exporters, [{ kind: 'prometheus', host: '::', port: 9464 }]);
    assert.equal(c.metrics.serviceName, 'kube-ovn-controller');
    assert.deepEqual(c.leaderElection, {
      enabled: true, leaseName: 'kube-ovn-controller', namespace: 'kube-system', identity: 'node-host',
      leaseDurationMs: 30_000, renewDeadlineMs: 20_000, retryPeriodMs: 6_000,
    });
    assert.deepEqual(c.defaultSubnet, { name: 'ovn-default', cidr: '10.16.0.0/16', gateway: '', excludeIps: [] });
    assert.equal(c.workerNum, 3);
    assert.equal(c.reconcileStallMs, 300_000);
    assert.equal(c.shutdownTimeoutMs, 10_000);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.kubeconfig, '');
    assert.equal(c.version, '9.8.7');
    assert.deepEqual(c.pod, { name: '', namespace: '', nodeName: '', containerName: 'kube-ovn-controller' });
  });

  it('takes pod identity and the Lease namespace and holder from the Downward API', () => {
    const { ok } = setup();
    const c = ok([], { POD_NAME: 'kube-ovn-controller-abc', POD_NAMESPACE: 'kube-ovn', NODE_NAME: 'node-1', CONTAINER_NAME: 'ctl' });
    assert.deepEqual(c.pod, { name: 'kube-ovn-controller-abc', namespace: 'kube-ovn', nodeName: 'node-1', containerName: 'ctl' });
    assert.equal(c.leaderElection.namespace, 'kube-ovn');
    assert.equal(c.leaderElection.identity, 'kube-ovn-controller-abc');
  });

  it('accepts every boolean spelling it documents', () => {
    const { ok } = setup();
    for (const [raw, want] of [['true', true], ['TRUE', true], ['1', true], ['false', false], ['False', false], ['0', false]] as const) {
      assert.equal(ok([`--leader-elect=${raw}`]).leaderElection.enabled, want, raw);
    }
    assert.equal(ok(['--leader-elect']).leaderElection.enabled, true);
  });

  it('writes dual-stack CIDRs and gateways as v4,v6 whatever order they were given in', () => {
    const { ok } = setup();
    const subnet = ok(['--default-cidr=fd00::/64, 10.0.0.0/8', '--default-gateway=fd00::1,10.0.0.1']).defaultSubnet;
    assert.deepEqual([subnet.cidr, subnet.gateway], ['10.0.0.0/8,fd00::/64', '10.0.0.1,fd00::1']);
  });

  it('lets a repeated flag take its last value, as pflag does', () => {
    const { ok } = setup();
    assert.equal(ok(['--worker-num=2', '--worker-num', '5']).workerNum, 5);
  });

  it('adds nothing for a probe path equal to its own default', () => {
    const { ok } = setup();
    const c = ok(['--liveness-path=/livez', '--readiness-path=/healthz']);
    assert.deepEqual([c.health.extraLivenessPaths, c.health.extraReadinessPaths], [[], []]);
  });

  it('accepts the health and metrics ports being equal on addresses that cannot overlap', () => {
    const { ok } = setup();
    const c = ok(['--health-bind-address=10.0.0.1', '--metrics-bind-address=10.0.0.2', '--metrics-port=10660']);
    assert.equal(c.metrics.exporters[0]?.kind === 'prometheus' && c.metrics.exporters[0].port, 10660);
    assert.equal(ok(['--metrics-port=10660', '--metrics-exporter=otlp']).health.port, 10660);
  });
});
