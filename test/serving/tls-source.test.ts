// Issue 13: certificate files reloaded as controller-runtime's certwatcher; self-signed renewal.
import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSelfSigned } from '../../src/serving/certificates.js';
import { checkTlsFiles, createFileTlsSource, createSelfSignedTlsSource } from '../../src/serving/index.js';
import type { KeyPair } from '../../src/serving/index.js';

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'tls-source-'));
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  const write = async (pair: KeyPair): Promise<void> => {
    await writeFile(certFile, pair.cert);
    await writeFile(keyFile, pair.key);
  };
  const events: string[] = [];
  /** A source over the two files, polling off, its loads and errors recorded in `events`. */
  const open = () => createFileTlsSource({ certFile, keyFile, pollIntervalMs: 0, onLoaded: (w) => events.push(w), onError: (w) => events.push(`error:${w}`) });
  return { dir, certFile, keyFile, write, events, open, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const sanOf = (pair: KeyPair): string | undefined => new X509Certificate(pair.cert).subjectAltName;

describe('certificate files', () => {
  it('loads the pair, takes a rotated pair on refresh and tells its listeners', async () => {
    const env = await setup();
    try {
      await env.write(await createSelfSigned(['first.example'], Date.now()));
      const source = env.open();
      const seen: string[] = [];
      source.onChange((p) => seen.push(sanOf(p) ?? ''));
      assert.equal(sanOf(source.current()), 'DNS:first.example');
      await env.write(await createSelfSigned(['second.example'], Date.now()));
      await source.refresh();
      assert.equal(sanOf(source.current()), 'DNS:second.example');
      assert.deepEqual(seen, ['DNS:second.example']);
      source.stop();
    } finally {
      await env.cleanup();
    }
  });

  it('keeps serving the old pair when the new one does not load, logs that once, and recovers', async () => {
    const env = await setup();
    try {
      const first = await createSelfSigned(['first.example'], Date.now());
      await env.write(first);
      const source = env.open();
      const other = await createSelfSigned(['other.example'], Date.now());
      await writeFile(env.certFile, other.cert); // key of `first` stays: a mismatch
      await source.refresh();
      await source.refresh();
      assert.equal(sanOf(source.current()), 'DNS:first.example');
      await writeFile(env.keyFile, other.key);
      await source.refresh();
      assert.equal(sanOf(source.current()), 'DNS:other.example');
      assert.deepEqual(env.events, ['error:load', 'reloaded']);
      source.stop();
    } finally {
      await env.cleanup();
    }
  });

  it('notices a Secret-style ..data symlink swap through the directory watch, without a poll', async () => {
    const env = await setup();
    try {
      const v1 = join(env.dir, '..v1');
      const v2 = join(env.dir, '..v2');
      for (const [dir, name] of [[v1, 'one.example'], [v2, 'two.example']] as const) {
        const pair = await createSelfSigned([name], Date.now());
        await (await import('node:fs/promises')).mkdir(dir);
        await writeFile(join(dir, 'tls.crt'), pair.cert);
        await writeFile(join(dir, 'tls.key'), pair.key);
      }
      await symlink('..v1', join(env.dir, '..data'));
      await symlink('..data/tls.crt', env.certFile);
      await symlink('..data/tls.key', env.keyFile);
      const source = createFileTlsSource({ certFile: env.certFile, keyFile: env.keyFile, pollIntervalMs: 0, onLoaded: () => {}, onError: () => {} });
      const changed = new Promise<string>((resolve) => source.onChange((p) => resolve(sanOf(p) ?? '')));
      // kubelet's atomic writer: a new symlink renamed over ..data.
      await symlink('..v2', join(env.dir, '..data_tmp'));
      await rename(join(env.dir, '..data_tmp'), join(env.dir, '..data'));
      const san = await Promise.race([changed, new Promise<string>((r) => setTimeout(() => r('no change within 5 s'), 5000).unref())]);
      assert.equal(san, 'DNS:two.example');
      source.stop();
    } finally {
      await env.cleanup();
    }
  });

  it('reports unusable files in one line naming both flags, for exit code 2', async () => {
    const env = await setup();
    try {
      await writeFile(env.certFile, 'not a certificate');
      await writeFile(env.keyFile, 'not a key');
      const message = checkTlsFiles({ certFile: env.certFile, keyFile: env.keyFile, minVersion: 'TLSv1.2', ciphers: '', selfSignedNames: [] }) ?? '';
      assert.match(message, /^--tls-cert-file\/--tls-private-key-file: cannot use `.*tls\.crt` and `.*tls\.key`: .+; expected a PEM certificate and its PEM private key$/);
      assert.doesNotMatch(message, /\n/);
      assert.match(checkTlsFiles({ certFile: join(env.dir, 'missing.crt'), keyFile: env.keyFile, minVersion: 'TLSv1.2', ciphers: '', selfSignedNames: [] }) ?? '', /ENOENT/);
    } finally {
      await env.cleanup();
    }
  });
});

describe('the self-signed certificate', () => {
  it('is an ECDSA serving certificate valid for a year, renewed once less than 30 days remain', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const events: string[] = [];
    const source = await createSelfSignedTlsSource({ names: ['localhost', '::1'], now: () => now, checkIntervalMs: 0, onLoaded: (w) => events.push(w), onError: (w) => events.push(`error:${w}`) });
    const first = new X509Certificate(source.current().cert);
    assert.equal(first.validToDate.toISOString(), '2027-01-01T00:00:00.000Z');
    assert.equal(first.publicKey.asymmetricKeyType, 'ec');
    assert.match(first.keyUsage?.join(',') ?? '', /1\.3\.6\.1\.5\.5\.7\.3\.1/);
    now = Date.parse('2026-12-01T00:00:00Z');
    await source.refresh();
    assert.equal(new X509Certificate(source.current().cert).fingerprint256, first.fingerprint256, 'not due yet: 31 days left');
    now = Date.parse('2026-12-03T00:00:00Z');
    await source.refresh();
    assert.equal(new X509Certificate(source.current().cert).validToDate.toISOString(), '2027-12-03T00:00:00.000Z');
    assert.deepEqual(events, ['self-signed', 'renewed']);
    source.stop();
  });
});
