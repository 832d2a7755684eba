import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SUBNET_CRD } from './helpers.js';

const CLI = join(import.meta.dirname, '../support/apiserver/cli.ts');

interface Running {
  readonly url: string;
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

/** Starts the CLI on a free port and resolves with the URL it prints. */
function start(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`cli did not print a URL: ${out} ${err}`)), 15_000);
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^(http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (m?.[1] === undefined) return;
      clearTimeout(timer);
      resolve({ url: m[1], stop: (signal) => (child.kill(signal), exited) });
    });
    void exited.then((code) => reject(new Error(`cli exited ${String(code)}: ${err}`)));
  });
}

describe('apiserver cli', () => {
  it('prints the URL, writes a kubeconfig, loads CRDs and keeps state across a SIGTERM restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apiserver-cli-'));
    try {
      const crd = join(dir, 'crd.json');
      await writeFile(crd, JSON.stringify(SUBNET_CRD));
      const state = join(dir, 'state.json');
      const kubeconfig = join(dir, 'kubeconfig');
      const first = await start(['--kubeconfig-out', kubeconfig, '--state', state, '--crd', crd]);
      assert.match(await readFile(kubeconfig, 'utf8'), new RegExp(`server: ${first.url}`));
      const created = await fetch(`${first.url}/apis/kubeovn.io/v1/subnets`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 's1' } }) });
      assert.equal(created.status, 201);
      assert.equal(await first.stop('SIGTERM'), 0);
      const second = await start(['--state', state]);
      try {
        const got = await fetch(`${second.url}/apis/kubeovn.io/v1/subnets/s1`);
        assert.equal(got.status, 200);
        const list = (await (await fetch(`${second.url}/api/v1/namespaces`)).json()) as { metadata: { resourceVersion: string } };
        assert.ok(Number(list.metadata.resourceVersion) > 1);
      } finally {
        await second.stop('SIGINT');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 naming the flag on a bad port', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /--port: expected an integer >= 0, got `abc`/);
  });
});
