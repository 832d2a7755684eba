// A flood of scrapes with bad bearer tokens, run as its own process (an attacker is not the
// kubelet): `node --import tsx test/support/token-storm.ts <port> <clients> <requests-each>`
// prints `started` once the flood is under way, then one JSON line
// `{ "counts": { "<status> <body>": n, ... }, "ms": <duration> }`.
import { httpsGet } from './https-client.js';

async function main(): Promise<void> {
  const [port, clients, each] = process.argv.slice(2).map(Number);
  if (!port || !clients || !each) throw new Error('usage: token-storm <port> <clients> <requests-each>');
  const counts: Record<string, number> = {};
  const client = async (i: number): Promise<void> => {
    for (let n = 0; n < each; n++) {
      const r = await httpsGet(port, '/metrics', { token: `bad-token-${i}-${n}`, timeoutMs: 20_000 }).catch((err: Error) => ({ status: 0, body: err.message }));
      const key = `${r.status} ${r.body}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  };
  const started = performance.now();
  const all = Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  process.stdout.write('started\n');
  await all;
  process.stdout.write(`${JSON.stringify({ counts, ms: Math.round(performance.now() - started) })}\n`);
}

void main();
