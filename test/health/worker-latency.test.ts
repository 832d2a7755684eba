import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { createCheckSet, createHealthApp, pingCheck, startHealthServer, startHealthWorker } from '../../src/health/index.js';
import { createLogger } from '../../src/log/index.js';

const HOST = '127.0.0.1';
// Long enough that a probe sent in the block's first two thirds has 200 ms to be answered before
// it ends, even when another suite shares the 2-core CI machine.
const BLOCK_MS = 600;

// A kubelet stand-in in its own process: probes `/livez` back to back (fresh connection each,
// 1 s timeout) for `durationMs`, prints `ready` after the first answer and the timings at the end.
const PROBER = `
const http = require('node:http');
const [port, durationMs] = process.argv.slice(1).map(Number);
const results = [];
const once = () => new Promise((resolve) => {
  const start = Date.now();
  const t0 = performance.now();
  const req = http.request({ host: '${HOST}', port, path: '/livez', agent: false, timeout: 1000, headers: { Connection: 'close' } }, (res) => {
    res.resume();
    res.on('end', () => resolve({ start, ms: performance.now() - t0, status: res.statusCode }));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => resolve({ start, ms: performance.now() - t0, status: 0 }));
  req.end();
});
(async () => {
  results.push(await once());
  process.stdout.write('ready\\n');
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    results.push(await once());
    await new Promise((r) => setTimeout(r, 5));
  }
  process.stdout.write(JSON.stringify(results) + '\\n');
})();
`;

interface Sample {
  readonly start: number;
  readonly ms: number;
  readonly status: number;
}

interface BlockRun {
  /** Probes sent in the block's first two thirds. */
  readonly sent: Sample[];
  /** Probes in flight at the block's midpoint (sent before it or during it). */
  readonly inFlightAtMid: Sample[];
  readonly blockEnd: number;
}

/** Blocks this thread for `BLOCK_MS` while a child process probes `port`. */
async function probesDuringBlock(port: number): Promise<BlockRun> {
  const child = spawn(process.execPath, ['-e', PROBER, String(port), '1200'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('ready\n')) resolve();
  }));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await ready;
  await new Promise((resolve) => setTimeout(resolve, 200));
  const blockStart = Date.now();
  while (Date.now() - blockStart < BLOCK_MS) {
    // busy: this thread's event loop is stuck, as under a reconcile burst or a long GC pause
  }
  const blockEnd = Date.now();
  await exited;
  const samples = JSON.parse(out.slice(out.indexOf('ready\n') + 6)) as Sample[];
  // Probes sent in the block's first two thirds: an in-process server cannot answer them before it ends.
  const sent = samples.filter((s) => s.start >= blockStart && s.start <= blockEnd - BLOCK_MS / 3);
  const mid = blockStart + BLOCK_MS / 2;
  const inFlightAtMid = samples.filter((s) => s.start <= mid && s.start + s.ms >= mid);
  return { sent, inFlightAtMid, blockEnd };
}

function setup() {
  const logger = createLogger({ level: 'silent' });
  const livez = createCheckSet('livez');
  const readyz = createCheckSet('readyz');
  livez.add(pingCheck());
  readyz.add(pingCheck());
  return { logger, livez, readyz };
}

const summary = (samples: readonly Sample[]): string => `${samples.length} probes, max ${Math.max(...samples.map((s) => s.ms)).toFixed(1)}ms`;

describe('health worker under a busy main thread', () => {
  it('answers probes while the main thread is blocked, before the block ends', async (t) => {
    const { logger, livez, readyz } = setup();
    const worker = await startHealthWorker({ host: HOST, port: 0, livez, readyz, metricsHint: 'metrics are disabled', logger, staleAfterMs: 5000 });
    try {
      const run = await probesDuringBlock(worker.port);
      const during = run.sent;
      t.diagnostic(`worker: ${summary(during)}`);
      assert.ok(during.length >= 3, `only ${during.length} probes were sent during the block`);
      for (const s of during) assert.equal(s.status, 200);
      const { blockEnd } = run;
      for (const s of during) assert.ok(s.start + s.ms < blockEnd, `a probe sent ${(blockEnd - s.start).toFixed(0)} ms before the block ended took ${s.ms.toFixed(1)} ms: it waited for the main thread`);
    } finally {
      await worker.close(1000);
    }
  });

  it('is needed: the in-process server holds the same probes until the block ends', async (t) => {
    const { logger, livez, readyz } = setup();
    const app = createHealthApp({ livez, readyz, metricsHint: 'metrics are disabled', logger });
    const server = await startHealthServer({ app, host: HOST, port: 0, logger });
    try {
      // The probe in flight mid-block may have been sent just before the block began (the
      // prober waits for each answer), so judge the one in flight, not the ones sent.
      const run = await probesDuringBlock(server.port);
      t.diagnostic(`in-process: ${summary(run.inFlightAtMid)}`);
      assert.ok(run.inFlightAtMid.length >= 1, 'no probe was in flight at the middle of the block');
      const answeredAt = Math.max(...run.inFlightAtMid.map((s) => s.start + s.ms));
      assert.ok(answeredAt >= run.blockEnd - 20, `the in-process server answered ${(run.blockEnd - answeredAt).toFixed(0)}ms before the block ended`);
    } finally {
      await server.close(1000);
    }
  });
});
