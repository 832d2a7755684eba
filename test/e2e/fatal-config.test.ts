// Issue 10 (fatal paths at load), through the BUILT process: each exits 2 with one line on
// stderr naming the setting (or file and field), before anything listens.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { spawnController } from '../support/controller-process.js';
import { freePort } from '../support/ports.js';
import { schemelessKubeconfig } from '../support/kubeconfigs.js';

const CASES: readonly { args: string[]; mentions: RegExp }[] = [
  { args: ['--default-cidr=10.16.0.1/32'], mentions: /^kube-ovn-controller: --default-cidr: `10\.16\.0\.1\/32` has no usable address/ },
  { args: ['--default-exclude-ips=10.16.0.9..10.16.0.2'], mentions: /^kube-ovn-controller: --default-exclude-ips: .* starts after it ends/ },
  { args: ['--default-gateway=10.99.0.1'], mentions: /^kube-ovn-controller: --default-gateway: `10\.99\.0\.1` is not in cidrBlock 10\.16\.0\.0\/16/ },
  { args: ['--default-cidr=fd00::/64', '--default-gateway=fd00::1%eth0'], mentions: /^kube-ovn-controller: --default-gateway: zone-scoped IPv6/ },
  { args: ['--event-loop-block-threshold=10ms'], mentions: /^kube-ovn-controller: --event-loop-block-threshold: expected at least 1s/ },
  { args: ['--reconcile-stall-timeout=1s'], mentions: /^kube-ovn-controller: --reconcile-stall-timeout: expected at least 1m/ },
];

describe('issue 10: fatal configuration stops the built process with exit 2', () => {
  for (const c of CASES) {
    test(`${c.args.join(' ')} exits 2 with one line, before listening`, async () => {
      const healthPort = await freePort();
      const ctl = spawnController({ args: c.args, env: { HEALTH_PORT: String(healthPort), HEALTH_BIND_ADDRESS: '127.0.0.1', OTEL_METRICS_EXPORTER: 'none' } });
      assert.equal(await ctl.exited(10_000), 2, ctl.stderr());
      const lines = ctl.stderr().trim().split('\n');
      assert.equal(lines.length, 1, ctl.stderr());
      assert.match(lines[0] ?? '', c.mentions);
      assert.deepEqual(ctl.logs.filter((l) => /listening/.test(String(l.msg))), []);
    });
  }

  test('--leader-elect=false logs one warning at start saying it is only safe with one replica', async () => {
    const kubeconfig = await schemelessKubeconfig('http://127.0.0.1:1');
    const healthPort = await freePort();
    const ctl = spawnController({ args: ['--leader-elect=false'], env: { KUBECONFIG: kubeconfig, POD_NAMESPACE: 'kube-system', POD_NAME: 'solo', HEALTH_PORT: String(healthPort), HEALTH_BIND_ADDRESS: '127.0.0.1', OTEL_METRICS_EXPORTER: 'none' } });
    try {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !ctl.logs.some((l) => /leader election is OFF/.test(String(l.msg)))) await new Promise((r) => setTimeout(r, 50));
      const warned = ctl.logs.filter((l) => /leader election is OFF/.test(String(l.msg)));
      assert.equal(warned.length, 1);
      assert.equal(warned[0]?.level, 'warn');
      assert.match(String(warned[0]?.msg), /only safe with exactly one replica/);
    } finally {
      ctl.kill('SIGKILL');
      await ctl.exited(5000).catch(() => undefined);
    }
  });
});
