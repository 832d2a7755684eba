import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseNbAddr } from '../../src/config/ovn.js';
import { createLogger } from '../../src/log/index.js';
import { openConnection } from '../../src/ovn/connection.js';
import { createNbNetwork, createOvsdbClient, NB_TABLES } from '../../src/ovn/index.js';
import type { NbNetwork, OvsdbClient, PodPortSpec } from '../../src/ovn/index.js';
import { ovnMissing, startLocalOvn } from '../support/ovn/local-ovn.js';
import type { LocalOvn } from '../support/ovn/local-ovn.js';

const missing = ovnMissing();
if (missing !== undefined) process.stderr.write(`\n*** SKIPPING OVSDB client integration tests: ${missing} ***\n\n`);
const logger = createLogger({ level: 'silent' });

type Latency = { value: number; attributes: { db: string; method: string; code: string } };

function connect(nbAddr: string, latencies: Latency[] = []): { client: OvsdbClient; nb: NbNetwork } {
  const latency = { record: (value: number, attributes: Latency['attributes']) => void latencies.push({ value, attributes }) };
  const client = createOvsdbClient({
    endpoints: parseNbAddr(nbAddr, 'test'), database: 'OVN_Northbound', tables: NB_TABLES, callTimeoutMs: 5_000, connectTimeoutMs: 1_000,
    inactivityTimeoutMs: 2_000, logger, backoff: { initialMs: 50, maxMs: 400 }, latency,
  });
  client.start();
  return { client, nb: createNbNetwork({ client, router: 'ovn-cluster', nodeSwitch: 'join', nodeSwitchGateways: ['100.64.0.1'], logger, timeoutMs: 30_000, maxBatch: 100 }) };
}

const pods = (n: number, from = 0): PodPortSpec[] =>
  Array.from({ length: n }, (_, k) => {
    const i = k + from;
    return { pod: `p${i}`, namespace: 'burst', subnet: 'ovn-default', mac: `0a:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, ips: [`10.16.${i >> 8}.${(i & 255) + 2 > 255 ? 1 : (i & 255) + 2}`] };
  });

async function base(nb: NbNetwork): Promise<void> {
  for (const r of [await nb.ensureRouter(), await nb.ensureSubnet({ name: 'join', cidrs: ['100.64.0.0/16'], gateways: ['100.64.0.1'] }), await nb.ensureSubnet({ name: 'ovn-default', cidrs: ['10.16.0.0/16'], gateways: ['10.16.0.1'] })]) {
    assert.equal(r.ok, true, JSON.stringify(r));
  }
}

/** Port names in NB, counted (a duplicate would show as 2). */
async function portCounts(ovn: LocalOvn, db: string): Promise<Map<string, number>> {
  const names = (await ovn.exec('ovn-nbctl', [`--db=${db}`, '--no-leader-only', '--bare', '--columns=name', 'list', 'Logical_Switch_Port'])).split('\n').filter(Boolean);
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return counts;
}

describe('OVSDB client against a standalone NB', { skip: missing }, () => {
  let ovn: LocalOvn;
  let client: OvsdbClient;
  let nb: NbNetwork;
  const latencies: Latency[] = [];
  before(async () => {
    ovn = await startLocalOvn({ ssl: true });
    ({ client, nb } = connect(ovn.nbAddr, latencies));
    assert.equal(await client.whenSynced(5_000), true);
    await base(nb);
  });
  after(async () => {
    await client?.close();
    await ovn?.stop();
  });

  it('connects over unix: and over ssl: with a client certificate, and skips a dead endpoint listed first', async () => {
    const pki = ovn.nbSsl?.pki;
    assert.ok(pki);
    for (const addr of [`unix:${ovn.nb[0]?.socket}`, `tcp:127.0.0.1:1,${ovn.nbSsl?.addr}`]) {
      const other = createOvsdbClient({
        endpoints: parseNbAddr(addr, 'test'), database: 'OVN_Northbound', tables: NB_TABLES, callTimeoutMs: 5_000, connectTimeoutMs: 1_000, inactivityTimeoutMs: 2_000, logger,
        tls: { keyFile: pki.clientKey, certFile: pki.clientCert, caFile: pki.ca },
      });
      other.start();
      try {
        assert.equal(await other.whenSynced(5_000), true, `${addr}: ${other.status().lastError}`);
        assert.equal(other.status().endpoint, addr.split(',').at(-1));
        assert.ok(other.cache.tables.get('Logical_Router')?.size === 1);
      } finally {
        await other.close();
      }
    }
  });

  it('records ovs_client_request_latency_milliseconds per db, method and code', () => {
    const methods = new Set(latencies.map((l) => `${l.attributes.db} ${l.attributes.method} ${l.attributes.code}`));
    for (const m of ['OVN_Northbound get_schema ok', 'OVN_Northbound monitor_cond ok', 'OVN_Northbound transact ok']) assert.ok(methods.has(m), `${m} in ${[...methods].join(', ')}`);
    assert.ok(latencies.every((l) => l.value >= 0 && l.value < 5_000));
  });

  it('survives kill -9 of the server mid-burst: not ready while down, reconnects, resyncs, completes every port once', async () => {
    const server = ovn.nb[0];
    assert.ok(server);
    let done = 0;
    const burst = Promise.all(pods(600).map((p) => nb.ensurePodPort(p).finally(() => done++)));
    await waitUntil(() => done >= 100);
    await server.kill();
    assert.ok(done < 600, `killed mid-burst (${done} of 600 done)`);
    await waitUntil(() => !nb.readiness.run().ok);
    assert.match(String((nb.readiness.run() as { reason?: string }).reason), /northbound not connected/);
    await server.restart();
    await ovn.exec('ovn-nbctl', [`--db=${server.unix}`, 'ls-add', 'written-while-we-were-away']);
    const results = await burst;
    assert.deepEqual(results.filter((r) => !r.ok), []);
    await waitUntil(() => nb.readiness.run().ok && [...(client.cache.tables.get('Logical_Switch')?.values() ?? [])].some((r) => r['name'] === 'written-while-we-were-away'));
    const counts = await portCounts(ovn, server.unix);
    assert.equal([...counts.keys()].filter((n) => n.endsWith('.burst')).length, 600);
    assert.deepEqual([...counts].filter(([, c]) => c > 1), []);
  });
});

describe('OVSDB client against a 3-member raft NB', { skip: missing }, () => {
  let ovn: LocalOvn;
  let client: OvsdbClient;
  let nb: NbNetwork;
  before(async () => {
    ovn = await startLocalOvn({ nb: 'raft' });
    // List a follower first: the client must skip it and write only through the leader.
    const leader = await ovn.nbLeader();
    const order = [...ovn.nb.keys()].sort((a, b) => (a === leader ? 1 : 0) - (b === leader ? 1 : 0));
    ({ client, nb } = connect(order.map((i) => ovn.nb[i]?.tcp).join(',')));
    assert.equal(await client.whenSynced(10_000), true);
    // Leadership may move under load (1 s election timer); compare with the leader of the moment.
    const current = await ovn.nbLeader();
    assert.equal(client.status().endpoint, ovn.nb[current]?.tcp, `leader was ${leader}, now ${current}`);
    await base(nb);
  });
  after(async () => {
    await client?.close();
    await ovn?.stop();
  });

  it('loses nothing and duplicates nothing when the leader is killed mid-burst', async () => {
    const leader = await ovn.nbLeader();
    let done = 0;
    const burst = Promise.all(pods(1500).map((p) => nb.ensurePodPort(p).finally(() => done++)));
    await waitUntil(() => done >= 200);
    await ovn.nb[leader]?.kill();
    assert.ok(done > 0 && done < 1500, `killed mid-burst (${done} of 1500 done)`);
    const results = await burst;
    assert.deepEqual(results.filter((r) => !r.ok), []);
    assert.notEqual(client.status().endpoint, ovn.nb[leader]?.tcp);
    const alive = ovn.nb.find((_, i) => i !== leader);
    const counts = await portCounts(ovn, alive?.unix ?? '');
    assert.equal([...counts.keys()].filter((n) => n.endsWith('.burst')).length, 1500);
    assert.deepEqual([...counts].filter(([, c]) => c > 1), []);
    const switches = (await ovn.exec('ovn-nbctl', [`--db=${alive?.unix}`, '--no-leader-only', '--bare', '--columns=name', 'list', 'Logical_Switch'])).split('\n').filter(Boolean);
    assert.deepEqual(switches.sort(), ['join', 'ovn-default']);
  });
});

describe('echo and inactivity (raw loopback peer)', () => {
  let server: Server;
  let port = 0;
  const peers: Socket[] = [];
  before(async () => {
    server = createServer((s) => peers.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    for (const p of peers) p.destroy();
    await new Promise((r) => server.close(r));
  });

  it('answers the server\'s echo, probes a silent peer and drops it after two idle intervals', async () => {
    const conn = await openConnection({ kind: 'tcp', host: '127.0.0.1', port }, { connectTimeoutMs: 1_000, inactivityTimeoutMs: 150, onNotification: () => undefined });
    const peer = await waitFor(() => peers.at(-1));
    const received: string[] = [];
    peer.on('data', (d: Buffer) => received.push(d.toString()));
    peer.write('{"method":"echo","params":["hi"],"id":"e1"}');
    await waitUntil(() => received.join('').includes('"id":"e1"'));
    assert.deepEqual(JSON.parse(received.join('').match(/\{[^{}]*"id":"e1"[^{}]*\}/)?.[0] ?? '{}'), { id: 'e1', result: ['hi'], error: null });
    const started = Date.now();
    const reason = await conn.closed;
    assert.match(reason, /inactivity probe/);
    assert.match(received.join(''), /"method":"echo"/);
    assert.ok(Date.now() - started >= 200, 'closed only after probing');
  });

  it('times a call out and rejects it with the method and bound', async () => {
    const conn = await openConnection({ kind: 'tcp', host: '127.0.0.1', port }, { connectTimeoutMs: 1_000, inactivityTimeoutMs: 0, onNotification: () => undefined });
    await assert.rejects(conn.call('list_dbs', [], 100), /list_dbs got no reply within 100 ms/);
    conn.close('done');
  });
});

async function waitFor<T>(f: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function waitUntil(f: () => boolean, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => (f() ? true : undefined), timeoutMs);
}
