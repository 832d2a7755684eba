import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Config, SecureServingConfig } from '../../src/config/index.js';
import { setup } from './setup.js';

function secureOf(config: Config): SecureServingConfig | undefined {
  const prometheus = config.metrics.exporters.find((e) => e.kind === 'prometheus');
  return prometheus?.kind === 'prometheus' ? prometheus.secure : undefined;
}

describe('--secure-serving (issue 13)', () => {
  it('is off by default: plain HTTP, no secure block at all', () => {
    assert.equal(secureOf(setup().ok()), undefined);
  });

  it('defaults to a self-signed certificate for localhost, both loopbacks, the host name and POD_IPS, TLS 1.2 and Node ciphers', () => {
    const secure = secureOf(setup({ hostname: 'node-7' }).ok(['--secure-serving'], { POD_IPS: '10.0.0.7, fd00::7' }));
    assert.deepEqual(secure, { certFile: '', keyFile: '', minVersion: 'TLSv1.2', ciphers: '', selfSignedNames: ['localhost', '127.0.0.1', '::1', 'node-7', '10.0.0.7', 'fd00::7'] });
  });

  it('takes SECURE_SERVING, Kube-OVN\'s variable', () => {
    assert.notEqual(secureOf(setup().ok([], { SECURE_SERVING: 'true' })), undefined);
  });

  const versions: [string, string][] = [['VersionTLS10', 'TLSv1'], ['VersionTLS11', 'TLSv1.1'], ['VersionTLS12', 'TLSv1.2'], ['VersionTLS13', 'TLSv1.3']];
  for (const [flag, node] of versions) {
    it(`maps --tls-min-version=${flag} to ${node}`, () => assert.equal(secureOf(setup().ok(['--secure-serving', `--tls-min-version=${flag}`]))?.minVersion, node));
  }

  it('maps Go cipher suite names to one OpenSSL list, TLS 1.3 names unchanged, duplicates once', () => {
    const suites = 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384';
    assert.equal(secureOf(setup().ok(['--secure-serving', `--tls-cipher-suites=${suites}`]))?.ciphers, 'ECDHE-ECDSA-AES256-GCM-SHA384:TLS_AES_128_GCM_SHA256');
  });

  it('names the https endpoint in the /metrics hint of the health port', () => {
    assert.equal(setup().ok(['--secure-serving', '--metrics-port=9443']).metrics.hint, 'metrics are served at https://:9443/metrics (bearer token required)');
  });

  it('warns when TLS settings are given without --secure-serving, and when nothing is served to secure', () => {
    const { warnings } = setup();
    assert.deepEqual(warnings(['--tls-min-version=VersionTLS13']), ['--tls-min-version: no effect without --secure-serving']);
    assert.deepEqual(warnings(['--secure-serving', '--metrics-exporter=otlp']), ['--secure-serving: no effect, the exporter list has no `prometheus` (nothing is served)']);
    assert.deepEqual(warnings(['--secure-serving']), []);
  });

  it('validates the TLS flags even when secure serving is off', () => {
    assert.match(setup().error(['--tls-min-version=VersionSSL3']), /^--tls-min-version: expected one of/);
  });
});

describe('bind defaults (issue 13)', () => {
  it('listens on :: for health and metrics, so IPv6-only and dual-stack nodes are probed and scraped', () => {
    const config = setup().ok();
    assert.equal(config.health.host, '::');
    assert.deepEqual(config.metrics.exporters.map((e) => e.kind === 'prometheus' && e.host), ['::']);
  });
});
