import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as health from '../../src/health/index.js';
import { createLogger } from '../../src/log/index.js';
import { probe } from '../support/kubelet.js';

// The launcher (src/launch.ts) starts the bundled worker before the controller's bundle loads;
// a thread started ahead needs a plain entry (no tsx bootstrap), so these use dist/worker.js.
const BUILT = new URL('../../dist/worker.js', import.meta.url);
const PRESTART = fileURLToPath(new URL('../../src/health/prestart.ts', import.meta.url));
const skip = existsSync(fileURLToPath(BUILT)) ? false : 'SKIPPED: dist/ is not built: run `npm run build` first';

function options(prestarted: health.PrestartedHealthWorker) {
  const livez = health.createCheckSet('livez');
  const readyz = health.createCheckSet('readyz');
  livez.add(health.pingCheck());
  readyz.add({ name: 'informer-sync', run: () => ({ ok: false, reason: 'not synced' }) });
  return { host: '127.0.0.1', port: 0, livez, readyz, metricsHint: 'metrics are disabled', logger: createLogger({ level: 'silent' }), staleAfterMs: 5000, prestarted };
}

describe('health worker started ahead (the launcher)', () => {
  it('serves with the settings it gets later, from the thread started ahead', { skip, timeout: 10_000 }, async () => {
    const prestarted = health.prestartHealthWorker(BUILT);
    await sleep(20); // the controller's bundle loading meanwhile
    const worker = await health.startHealthWorker(options(prestarted));
    const ended = new Promise((resolve) => prestarted.worker.once('exit', resolve));
    try {
      await worker.publishNow();
      assert.deepEqual([(await probe(worker.port, '/livez')).status, (await probe(worker.port, '/livez')).body], [200, 'ok']);
      assert.equal((await probe(worker.port, '/readyz/informer-sync')).body, 'internal server error: not synced\n', 'the checks posted after the start are served');
    } finally {
      await worker.close(1000);
    }
    await ended; // the thread that served was the one started ahead, and it is gone
  });

  it('rejects, never waits forever, when the thread started ahead failed to load', { timeout: 10_000 }, async () => {
    for (const wait of [0, 500]) {
      const prestarted = health.prestartHealthWorker(new URL('data:text/javascript,throw new Error("boom")'));
      // 0: adopted before the failure reaches this thread; 500: after it did
      if (wait > 0) await sleep(wait);
      await assert.rejects(health.startHealthWorker(options(prestarted)), /health worker (failed to start: boom|exited with code 1 before listening)/, `wait ${wait} ms`);
    }
  });

  it('does not hold the process open when never adopted (--help, a bad flag)', { skip }, async () => {
    // A script file, not `-e`: the thread inherits the process's flags, and `--input-type` would fail it.
    const dir = await mkdtemp(join(tmpdir(), 'prestart-'));
    const script = join(dir, 'entry.mts');
    await writeFile(script, `import { prestartHealthWorker } from ${JSON.stringify(PRESTART)};\nconst p = prestartHealthWorker(new URL(${JSON.stringify(BUILT.href)}));\np.worker.once('online', () => process.stdout.write('online'));\n// the bundle loading meanwhile; then nothing but the thread is left\nsetTimeout(() => {}, 1000);\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
    assert.deepEqual([code, signal, out], [0, null, 'online'], `the thread started and the process ended by itself: ${err}`);
  });
});
