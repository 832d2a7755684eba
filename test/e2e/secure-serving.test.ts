// Issue 13: the BUILT controller with --secure-serving, running with exactly the RBAC of
// deploy/overlays/metrics-prometheus-secure, scraped with tokens made by `kubectl create token`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { createSelfSigned } from '../../src/serving/certificates.js';
import { kustomize } from '../deploy/render.js';
import { httpsGet } from '../support/https-client.js';
import { eventually, probe } from '../support/kubelet.js';
import { freePort } from '../support/ports.js';
import { spawnController } from '../support/controller-process.js';
import type { ControllerProcess } from '../support/controller-process.js';
import { startKube } from '../support/kube-env.js';
import type { KubeEnv } from '../support/kube-env.js';
import { ANN, apiClient, namespaceObject, PATHS, podObject } from '../support/objects.js';
import { prometheusUnavailable, startPrometheus } from '../support/prometheus.js';

const RBAC_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
const ALWAYS_SCRAPED = /^v8js_memory_heap_used/m;

function kubectl(kubeconfig: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

interface Running {
  readonly ctl: ControllerProcess;
  readonly healthPort: number;
  readonly metricsPort: number;
}

async function spawnSecure(kube: KubeEnv, kubeconfig: string, extraArgs: string[], env: Record<string, string> = {}): Promise<Running> {
  const [healthPort, metricsPort] = [await freePort(), await freePort()];
  const ctl = spawnController({
    args: ['--secure-serving', '--shutdown-timeout=4s', ...extraArgs],
    env: { ...kube.env(), KUBECONFIG: kubeconfig, HEALTH_PORT: String(healthPort), OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort), ...env },
  });
  await eventually(async () => (await probe(healthPort, '/readyz')).status === 200, 30_000, 'controller ready');
  // Readiness never waits for metrics (DESIGN §5); the certificate may still be in the making.
  await eventually(() => ctl.logs.some((l) => l.msg === 'prometheus metrics endpoint listening'), 15_000, 'metrics endpoint listening');
  return { ctl, healthPort, metricsPort };
}

describe('the built controller with --secure-serving', () => {
  let kube: KubeEnv;
  let dir: string;
  let selfSigned: Running;
  let withFiles: Running;
  const tokens: Record<'prometheus' | 'nobody', string> = { prometheus: '', nobody: '' };
  const certFile = (): string => join(dir, 'tls.crt');
  const keyFile = (): string => join(dir, 'tls.key');

  before(async () => {
    kube = await startKube();
    dir = await mkdtemp(join(tmpdir(), 'secure-serving-'));
    const admin = kube.kubeconfig;
    // The controller gets exactly the overlay's RBAC (a missing grant would be a 403 here).
    const rendered = await kustomize('deploy/overlays/metrics-prometheus-secure');
    const docs = rendered.split(/^---$/m).filter((d) => RBAC_KINDS.has(/^kind: (\w+)$/m.exec(d)?.[1] ?? ''));
    await kubectl(admin, ['apply', '--validate=false', '-f', '-'], docs.join('\n---\n'));
    await kubectl(admin, ['create', 'namespace', 'monitoring']);
    await kubectl(admin, ['create', 'serviceaccount', 'prometheus', '-n', 'monitoring']);
    await kubectl(admin, ['create', 'serviceaccount', 'nobody', '-n', 'monitoring']);
    await kubectl(admin, ['create', 'clusterrolebinding', 'prometheus-metrics', '--clusterrole=kube-ovn-controller-metrics-reader', '--serviceaccount=monitoring:prometheus']);
    tokens.prometheus = (await kubectl(admin, ['create', 'token', 'prometheus', '-n', 'monitoring'])).trim();
    tokens.nobody = (await kubectl(admin, ['create', 'token', 'nobody', '-n', 'monitoring'])).trim();
    const controllerToken = (await kubectl(admin, ['create', 'token', 'kube-ovn-controller', '-n', 'kube-system'])).trim();
    const leastPrivilege = join(dir, 'kubeconfig');
    await writeFile(leastPrivilege, (await readFile(admin, 'utf8')).replace(/token: .*/, `token: ${controllerToken}`), { mode: 0o600 });

    const pair = await createSelfSigned(['files.example', '127.0.0.1'], Date.now());
    await writeFile(certFile(), pair.cert);
    await writeFile(keyFile(), pair.key);
    [selfSigned, withFiles] = await Promise.all([
      spawnSecure(kube, leastPrivilege, [], { POD_IPS: '10.1.2.3,fd00::3' }),
      spawnSecure(kube, leastPrivilege, [`--tls-cert-file=${certFile()}`, `--tls-private-key-file=${keyFile()}`, '--leader-elect=false']),
    ]);
  });

  after(async () => {
    for (const r of [selfSigned, withFiles]) {
      if (r === undefined) continue;
      r.ctl.kill('SIGTERM');
      await r.ctl.exited(8000).catch(() => r.ctl.kill('SIGKILL'));
    }
    await kube?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('answers 401 without a token and with a bad one, 403 to an account without the role, 200 to one with it', async () => {
    const port = selfSigned.metricsPort;
    assert.deepEqual(pick(await httpsGet(port, '/metrics')), [401, 'Unauthorized\n']);
    assert.deepEqual(pick(await httpsGet(port, '/metrics', { token: 'not-a-token' })), [401, 'Unauthorized\n']);
    const forged = `${tokens.prometheus.slice(0, -4)}AAAA`;
    assert.deepEqual(pick(await httpsGet(port, '/metrics', { token: forged })), [401, 'Unauthorized\n']);
    assert.deepEqual(pick(await httpsGet(port, '/metrics', { token: tokens.nobody })), [403, 'Authorization denied for user system:serviceaccount:monitoring:nobody\n']);
    const ok = await httpsGet(port, '/metrics', { token: tokens.prometheus });
    assert.equal(ok.status, 200);
    assert.match(ok.body, ALWAYS_SCRAPED);
    // The reviews themselves ran with the overlay's RBAC: no permission error anywhere.
    assert.deepEqual(selfSigned.ctl.logs.filter((l) => /review failed|forbidden/i.test(String(l.msg))), []);
  });

  test('works as least privilege: a pod is allocated by a controller holding only the overlay\'s RBAC', async () => {
    const api = apiClient(kube.api.url);
    await api.create(PATHS.namespaces, namespaceObject('secured'));
    await api.create(PATHS.pods('secured'), podObject('secured', 'p-0'));
    await eventually(async () => (await api.get(`${PATHS.pods('secured')}/p-0`)).metadata.annotations?.[ANN.allocated] === 'true', 20_000, 'pod allocated');
    assert.deepEqual([selfSigned, withFiles].flatMap((r) => r.ctl.logs.filter((l) => /403|forbidden/i.test(JSON.stringify({ ...l, time: undefined })))), []);
  });

  test('refuses plaintext HTTP and TLS 1.1 on the TLS port; health stays plain HTTP and names the https endpoint', async () => {
    const port = selfSigned.metricsPort;
    await assert.rejects(plainGet(port), /socket hang up|ECONNRESET|Parse Error/);
    await assert.rejects(tlsHandshake(port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }), /protocol|alert|version|ECONNRESET/i);
    assert.equal(await tlsHandshake(port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }), 'TLSv1.2');
    const hint = await probe(selfSigned.healthPort, '/metrics');
    assert.deepEqual([hint.status, hint.body], [404, `metrics are served at https://:${port}/metrics (bearer token required)\n`]);
  });

  test('serves a self-signed certificate for localhost, 127.0.0.1, ::1, the host name and POD_IPS, reachable on both loopbacks', async () => {
    const { cert } = await httpsGet(selfSigned.metricsPort, '/metrics', { host: '::1' });
    assert.equal(cert.subjectaltname, `DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:${hostname()}, IP Address:10.1.2.3, IP Address:FD00:0:0:0:0:0:0:3`);
    assert.equal(Date.parse(cert.valid_to) - Date.now() > 360 * 24 * 3600_000, true, `valid to ${cert.valid_to}`);
  });

  test('serves a rotated certificate file to new connections without a restart', async () => {
    const port = withFiles.metricsPort;
    const before = await httpsGet(port, '/metrics', { token: tokens.prometheus });
    assert.equal(before.cert.subjectaltname, 'DNS:files.example, IP Address:127.0.0.1');
    const next = await createSelfSigned(['rotated.example', '127.0.0.1'], Date.now());
    // An atomic replace of each file, as cert-manager's and kubelet's writers do.
    await writeFile(`${certFile()}.new`, next.cert);
    await writeFile(`${keyFile()}.new`, next.key);
    await rename(`${keyFile()}.new`, keyFile());
    await rename(`${certFile()}.new`, certFile());
    await eventually(async () => (await httpsGet(port, '/metrics')).cert.subjectaltname === 'DNS:rotated.example, IP Address:127.0.0.1', 15_000, 'rotated certificate served');
    const after = await httpsGet(port, '/metrics', { token: tokens.prometheus, ca: next.cert, servername: 'rotated.example' });
    assert.equal(after.status, 200, 'verified against the new certificate');
    assert.equal(withFiles.ctl.proc.exitCode, null, 'same process');
  });

  test('exits 2 with one line naming the flags when the certificate files are unusable, before listening', async () => {
    await writeFile(join(dir, 'broken.crt'), 'not a certificate');
    const ctl = spawnController({ args: ['--secure-serving', `--tls-cert-file=${join(dir, 'broken.crt')}`, `--tls-private-key-file=${keyFile()}`], env: kube.env() });
    assert.equal(await ctl.exited(15_000), 2);
    const lines = ctl.stderr().trim().split('\n');
    assert.equal(lines.length, 1, ctl.stderr());
    assert.match(lines[0] ?? '', /^kube-ovn-controller: --tls-cert-file\/--tls-private-key-file: cannot use `.*broken\.crt`/);
    assert.deepEqual(ctl.logs.filter((l) => /listening/.test(String(l.msg))), []);
  });

  const unavailable = prometheusUnavailable();
  test('a real Prometheus scrapes it over https with authorization.credentials_file: up == 1, series present', { skip: unavailable }, async () => {
    const tokenFile = join(dir, 'prometheus-token');
    await writeFile(tokenFile, tokens.prometheus, { mode: 0o600 });
    const prom = await startPrometheus([`127.0.0.1:${selfSigned.metricsPort}`], 1000, { scheme: 'https', credentialsFile: tokenFile });
    try {
      await eventually(async () => (await prom.query('up{job="kube-ovn-controller"}'))[0]?.value === 1, 20_000, 'target up');
      await eventually(async () => (await prom.query('v8js_memory_heap_used_bytes')).length > 0 || (await prom.query('{__name__=~"v8js_memory_heap_used.*"}')).length > 0, 15_000, 'runtime series');
      await eventually(async () => (await prom.query('leader_election_master_status{name="kube-ovn-controller"}')).length > 0, 15_000, 'leader series');
      const [target] = await prom.targets();
      assert.match(target?.scrapeUrl ?? '', /^https:\/\//);
    } finally {
      await prom.close();
    }
  });
});

function pick(a: { status: number; body: string }): [number, string] {
  return [a.status, a.body];
}

function plainGet(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/metrics', agent: false, timeout: 3000 }, (res) => resolve(res.statusCode ?? 0));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function tlsHandshake(port: number, options: { minVersion: 'TLSv1' | 'TLSv1.2'; maxVersion: 'TLSv1.1' | 'TLSv1.2'; ciphers?: string }): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      resolve(socket.getProtocol());
      socket.end();
    });
    socket.on('error', reject);
  });
}
