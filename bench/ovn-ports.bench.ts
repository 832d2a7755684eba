/**
 * 10k pod ports created through `createNbNetwork` against a local standalone NB ovsdb-server
 * (issue 11 target: <= 10 s). Every ensurePodPort is called at once, as a burst of pod workers
 * would; the batcher coalesces them. Then a restart: a fresh client syncs the 10k-port cache and
 * drift-checks every port. Run: node --import tsx bench/ovn-ports.bench.ts [ports=10000] [--raft]
 * Prints one JSON line.
 */
import { cpus } from 'node:os';
import { parseNbAddr } from '../src/config/ovn.js';
import { createLogger } from '../src/log/index.js';
import { createNbNetwork, createOvsdbClient, NB_TABLES } from '../src/ovn/index.js';
import type { PodPortSpec } from '../src/ovn/index.js';
import { startLocalOvn } from '../test/support/ovn/local-ovn.js';

const count = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 10_000);
const raft = process.argv.includes('--raft');
const logger = createLogger({ level: 'warn' });

function connect(nbAddr: string) {
  const client = createOvsdbClient({ endpoints: parseNbAddr(nbAddr, 'bench'), database: 'OVN_Northbound', tables: NB_TABLES, callTimeoutMs: 60_000, connectTimeoutMs: 3_000, inactivityTimeoutMs: 10_000, logger });
  let transactions = 0;
  const transact = client.transact.bind(client);
  const counted = Object.assign(Object.create(client) as typeof client, { transact: (...a: Parameters<typeof transact>) => (transactions++, transact(...a)) });
  client.start();
  const nb = createNbNetwork({ client: counted, router: 'ovn-cluster', nodeSwitch: 'join', nodeSwitchGateways: ['100.64.0.1'], logger, timeoutMs: 60_000 });
  return { client, nb, transactions: () => transactions };
}

function pod(i: number): PodPortSpec {
  const ip = `10.16.${Math.floor((i + 2) / 256)}.${(i + 2) % 256}`;
  const mac = `0a:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
  return { pod: `pod-${i}`, namespace: 'bench', subnet: 'ovn-default', mac, ips: [ip] };
}

const ovn = await startLocalOvn({ nb: raft ? 'raft' : 'standalone' });
try {
  const a = connect(ovn.nbAddr);
  await a.client.whenSynced(10_000);
  await a.nb.ensureRouter();
  await a.nb.ensureSubnet({ name: 'join', cidrs: ['100.64.0.0/16'], gateways: ['100.64.0.1'] });
  await a.nb.ensureSubnet({ name: 'ovn-default', cidrs: ['10.16.0.0/16'], gateways: ['10.16.0.1'] });
  const before = a.transactions();
  const pods = Array.from({ length: count }, (_, i) => pod(i));
  const t0 = performance.now();
  const results = await Promise.all(pods.map((p) => a.nb.ensurePodPort(p)));
  const createMs = performance.now() - t0;
  const failed = results.filter((r) => !r.ok).length;
  const txns = a.transactions() - before;
  await a.client.close();

  const t1 = performance.now();
  const b = connect(ovn.nbAddr);
  await b.client.whenSynced(60_000);
  const syncMs = performance.now() - t1;
  const t2 = performance.now();
  const drift = b.nb.diff({ subnets: [], nodes: [], pods });
  const diffMs = performance.now() - t2;
  await b.client.close();
  const lsps = (await ovn.exec('ovn-nbctl', [`--db=${ovn.nb[0]?.unix}`, '--bare', '--columns=name', 'list', 'Logical_Switch_Port'])).trim().split('\n').filter(Boolean).length;
  process.stdout.write(`${JSON.stringify({
    bench: 'ovn-ports', nb: raft ? 'raft-3' : 'standalone', ports: count, failed, createMs: Math.round(createMs), portsPerSecond: Math.round(count / (createMs / 1000)),
    transactions: txns, portsPerTransaction: Number((count / txns).toFixed(1)), lspsInNb: lsps, restartSyncMs: Math.round(syncMs), driftCheckMs: Math.round(diffMs), drift: drift.length,
    cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, date: new Date().toISOString(),
  })}\n`);
} finally {
  await ovn.stop();
}
