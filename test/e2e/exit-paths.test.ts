// Every exit path of the BUILT process, as an operator or kubelet meets it.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { eventually, probe } from '../support/kubelet.js';
import { freePort } from '../support/ports.js';
import { logsMatching, spawnController } from '../support/controller-process.js';
import { startKube } from '../support/kube-env.js';

async function unreachableKubeconfig(): Promise<string> {
  const port = await freePort(); // nothing listens there
  return kubeconfigFor(`http://127.0.0.1:${port}`);
}

async function kubeconfigFor(server: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'kubeconfig-')), 'kubeconfig');
  await writeFile(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: x, context: {cluster: c, user: u}}]',
      'current-context: x',
      '',
    ].join('\n'),
  );
  return path;
}

describe('exit paths of the built process', () => {
  const badConfig: readonly { args: string[]; env?: Record<string, string>; mentions: RegExp }[] = [
    { args: ['--metrics-port=abc'], mentions: /--metrics-port.*`abc`/ },
    { args: [], env: { ENABLE_METRICS: 'false', OTEL_METRICS_EXPORTER: 'otlp' }, mentions: /ENABLE_METRICS.*OTEL_METRICS_EXPORTER|OTEL_METRICS_EXPORTER.*ENABLE_METRICS/ },
    { args: ['--metrics-port=10660'], mentions: /--metrics-port.*--health-port|--health-port.*--metrics-port/ },
    { args: ['--kubeconfig=/nonexistent/kubeconfig'], mentions: /--kubeconfig.*\/nonexistent\/kubeconfig/ },
    // Issue 13: the TLS flags of --secure-serving.
    { args: ['--secure-serving', '--tls-min-version=VersionTLS99'], mentions: /^kube-ovn-controller: --tls-min-version: expected one of .*got `VersionTLS99`$/ },
    { args: [], env: { SECURE_SERVING: 'true', TLS_CIPHER_SUITES: 'TLS_FAKE_SUITE' }, mentions: /^kube-ovn-controller: TLS_CIPHER_SUITES: .*`TLS_FAKE_SUITE`$/ },
  ];
  for (const c of badConfig) {
    test(`bad configuration ${[...c.args, ...Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v}`)].join(' ')} exits 2 with one line, before listening`, async () => {
      const ctl = spawnController({ args: c.args, env: c.env ?? {} });
      assert.equal(await ctl.exited(10_000), 2);
      const lines = ctl.stderr().trim().split('\n');
      assert.equal(lines.length, 1, ctl.stderr());
      assert.match(lines[0] ?? '', c.mentions);
      assert.deepEqual(ctl.logs.filter((l) => /listening/.test(String(l.msg))), []);
    });
  }

  test('--help and --version work with no cluster and exit 0', async () => {
    const help = spawnController({ args: ['--help'] });
    assert.equal(await help.exited(10_000), 0);
    const version = spawnController({ args: ['--version'] });
    assert.equal(await version.exited(10_000), 0);
    assert.match(version.stray.join('\n'), /^kube-ovn-controller \d+\.\d+\.\d+/);
  });

  test('an unreachable API server keeps the process live and not Ready, and it does not exit', async () => {
    const healthPort = await freePort();
    const ctl = spawnController({
      env: { KUBECONFIG: await unreachableKubeconfig(), POD_NAMESPACE: 'kube-system', POD_NAME: 'lonely', HEALTH_PORT: String(healthPort), HEALTH_BIND_ADDRESS: '127.0.0.1', OTEL_METRICS_EXPORTER: 'none' },
    });
    try {
      // From the first answered probe on, readiness names the controllers' gates and fails: a
      // probe between the health server's start and the controllers' start must not see Ready.
      const answered: { status: number; body: string }[] = [];
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline) {
        const r = await probe(healthPort, '/readyz?verbose').catch(() => undefined);
        if (r !== undefined) answered.push(r);
        else await new Promise((res) => setTimeout(res, 5));
      }
      assert.ok(answered.length > 10, `readyz answered ${answered.length} times in 3 s`);
      for (const r of answered) {
        assert.notEqual(r.status, 200, `Ready with an unreachable API server:\n${r.body}`);
        assert.match(r.body, /\[-\]informer-sync failed/);
        assert.match(r.body, /\]ipam-init /);
      }
      assert.equal((await probe(healthPort, '/livez')).status, 200);
      assert.equal(ctl.proc.exitCode, null, 'still running');
      assert.equal((await probe(healthPort, '/livez')).body, 'ok');
      const ready = await probe(healthPort, '/readyz');
      assert.equal(ready.status, 500);
      assert.match(ready.body, /\[-\]informer-sync failed: reason withheld\n/);
      assert.match(ready.body, /readyz check failed\n$/);
      ctl.kill('SIGTERM');
      assert.equal(await ctl.exited(12_000), 0);
    } finally {
      if (ctl.proc.exitCode === null) ctl.kill('SIGKILL');
    }
  });

  test('SIGTERM fails readiness at once while liveness stays ok, then exits 0; a second signal exits at once', async () => {
    const kube = await startKube();
    // A collector that accepts and never answers keeps the final flush busy, so the window
    // between SIGTERM and exit is long enough to probe.
    const hanging = createServer(() => undefined);
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const collectorPort = (hanging.address() as AddressInfo).port;
    const healthPort = await freePort();
    const env = {
      HEALTH_PORT: String(healthPort),
      HEALTH_BIND_ADDRESS: '127.0.0.1',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${collectorPort}/v1/metrics`,
    };
    const ctl = spawnController({ args: ['--shutdown-timeout=3s'], env: { ...kube.env('sigterm'), ...env } });
    try {
      await eventually(async () => (await probe(healthPort, '/readyz')).status === 200, 20_000, 'ready');
      ctl.kill('SIGTERM');
      await eventually(async () => (await probe(healthPort, '/readyz')).status === 500, 1000, 'readyz failing right after SIGTERM');
      const ready = await probe(healthPort, '/readyz/shutdown');
      assert.equal(ready.body, 'internal server error: shutting down\n');
      assert.equal((await probe(healthPort, '/livez')).body, 'ok', 'liveness untouched while stopping');
      assert.equal(await ctl.exited(6000), 0);

      const again = spawnController({ env: { ...kube.env('double-signal'), ...env } });
      await eventually(async () => (await probe(healthPort, '/livez')).status === 200, 20_000, 'live');
      const signalledAt = Date.now();
      again.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 100));
      again.kill('SIGINT');
      assert.equal(await again.exited(3000), 1, 'second signal: immediate non-zero exit');
      assert.ok(Date.now() - signalledAt < 2000, 'did not wait for the flush');
    } finally {
      if (ctl.proc.exitCode === null) ctl.kill('SIGKILL');
      hanging.close();
      await kube.close();
    }
  });

  // Issue 9: a kubeconfig whose server has no scheme made main() throw after health was up, and
  // the process stayed live (and Ready on ping alone) forever. Since issue 10 the server is
  // validated at load, so this case now stops before anything listens (exit 2); the generic
  // "start failure after health is up -> one fatal line, exit 1" path has no natural trigger left
  // in a built process and is covered by test/lifecycle/lifecycle.test.ts.
  test('a kubeconfig server without a scheme never leaves a Ready zombie: exit 2 before health listens', async () => {
    const healthPort = await freePort();
    const ctl = spawnController({
      env: { KUBECONFIG: await kubeconfigFor('127.0.0.1:6443'), POD_NAMESPACE: 'kube-system', POD_NAME: 'zombie', HEALTH_PORT: String(healthPort), HEALTH_BIND_ADDRESS: '127.0.0.1', OTEL_METRICS_EXPORTER: 'none' },
    });
    try {
      assert.equal(await ctl.exited(15_000), 2, ctl.stderr());
      assert.match(ctl.stderr(), /cluster\.server: expected an `https:\/\/` or `http:\/\/` URL/);
      assert.deepEqual(logsMatching(ctl.logs, /health server listening/), [], 'stopped before health was up');
    } finally {
      if (ctl.proc.exitCode === null) ctl.kill('SIGKILL');
    }
  });

  test('SIGTERM while still starting (health up, API server unreachable) stops what started and exits 0', async () => {
    const healthPort = await freePort();
    const ctl = spawnController({
      env: { KUBECONFIG: await unreachableKubeconfig(), POD_NAMESPACE: 'kube-system', POD_NAME: 'early', HEALTH_PORT: String(healthPort), HEALTH_BIND_ADDRESS: '127.0.0.1', OTEL_METRICS_EXPORTER: 'none' },
    });
    try {
      await eventually(async () => (await probe(healthPort, '/livez')).status === 200, 10_000, 'livez', 5);
      ctl.kill('SIGTERM');
      assert.equal(await ctl.exited(10_000), 0, ctl.stderr());
    } finally {
      if (ctl.proc.exitCode === null) ctl.kill('SIGKILL');
    }
  });
});
