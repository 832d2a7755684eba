import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import * as health from '../../src/health/index.js';
import { createLogger } from '../../src/log/index.js';
import { probe } from '../support/kubelet.js';

// The bundled worker (what the Deployment runs, next to dist/controller.js), with no tsx in the
// thread: a path the tests of `src/` (whose worker runs worker.ts through tsx) do not take.
const BUILT = new URL('../../dist/worker.js', import.meta.url);

describe('health worker from dist/', () => {
  const built = existsSync(fileURLToPath(BUILT));
  it('serves probes from the bundled worker entry', { skip: built ? false : 'SKIPPED: dist/ is not built: run `npm run build` first' }, async () => {
    const logger = createLogger({ level: 'silent' });
    const livez = health.createCheckSet('livez');
    const readyz = health.createCheckSet('readyz');
    livez.add(health.pingCheck());
    readyz.add({ name: 'informer-sync', run: () => ({ ok: false, reason: 'not synced' }) });
    const worker = await health.startHealthWorker({ host: '127.0.0.1', port: 0, livez, readyz, metricsHint: 'metrics are disabled', logger, staleAfterMs: 5000, workerEntry: BUILT });
    try {
      await worker.publishNow();
      assert.deepEqual([(await probe(worker.port, '/livez')).status, (await probe(worker.port, '/livez')).body], [200, 'ok']);
      assert.equal((await probe(worker.port, '/readyz/informer-sync')).body, 'internal server error: not synced\n');
    } finally {
      await worker.close(1000);
    }
  });
});
