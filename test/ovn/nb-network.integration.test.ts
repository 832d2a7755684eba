import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { parseNbAddr } from '../../src/config/ovn.js';
import { createLogger } from '../../src/log/index.js';
import { createNbNetwork, createOvsdbClient, NB_TABLES } from '../../src/ovn/index.js';
import type { LatencyRecorder, NbNetwork, OvsdbClient } from '../../src/ovn/index.js';
import { createCniDouble, ovnTrace, traceOutputs } from '../support/ovn/cni.js';
import { ovnMissing, startLocalOvn } from '../support/ovn/local-ovn.js';
import type { LocalOvn } from '../support/ovn/local-ovn.js';

const missing = ovnMissing();
if (missing !== undefined) process.stderr.write(`\n*** SKIPPING OVN integration tests: ${missing} ***\n\n`);

const logger = createLogger({ level: 'silent' });
const SUBNETS = [
  { name: 'join', cidrs: ['100.64.0.0/16'], gateways: ['100.64.0.1'] },
  { name: 'ovn-default', cidrs: ['10.16.0.0/16'], gateways: ['10.16.0.1'] },
  { name: 'blue', cidrs: ['10.17.0.0/16'], gateways: ['10.17.0.1'] },
];
const NODE = { node: 'kube-1', joinIps: ['100.64.0.2'], mac: '0a:00:00:00:00:02', internalIps: ['172.18.0.2'], subnets: ['ovn-default', 'blue'] };
const POD_A = { pod: 'a', namespace: 'default', subnet: 'ovn-default', mac: '0a:00:00:10:00:02', ips: ['10.16.0.2'] };
const POD_B = { pod: 'b', namespace: 'default', subnet: 'blue', mac: '0a:00:00:11:00:02', ips: ['10.17.0.2'] };

function connect(ovn: LocalOvn, latency?: LatencyRecorder): { client: OvsdbClient; nb: NbNetwork } {
  const client = createOvsdbClient({ ...(latency === undefined ? {} : { latency }), endpoints: parseNbAddr(ovn.nbAddr, 'test'), database: 'OVN_Northbound', tables: NB_TABLES, callTimeoutMs: 10_000, connectTimeoutMs: 2_000, inactivityTimeoutMs: 5_000, logger });
  client.start();
  const nb = createNbNetwork({ client, router: 'ovn-cluster', nodeSwitch: 'join', nodeSwitchGateways: ['100.64.0.1'], logger, timeoutMs: 10_000 });
  return { client, nb };
}

/** Where the traced packet finally leaves: the last logical port it is output to. */
const lastOutput = (trace: string) => traceOutputs(trace).at(-1);

function ping(src: typeof POD_A, dstMac: string, dst: string): string {
  return `inport=="${src.pod}.${src.namespace}" && eth.src==${src.mac} && ip4.src==${src.ips[0]} && eth.dst==${dstMac} && ip4.dst==${dst} && ip.ttl==64 && icmp4.type==8`;
}

describe('NB model end to end on a local OVN (northd, ovn-controller, dummy datapath)', { skip: missing }, () => {
  let ovn: LocalOvn;
  let client: OvsdbClient;
  let nb: NbNetwork;
  const annotations = new Map<string, Record<string, string>>();

  before(async () => {
    ovn = await startLocalOvn({ full: true });
    ({ client, nb } = connect(ovn));
    assert.equal(await client.whenSynced(10_000), true);
  });
  after(async () => {
    await client?.close();
    await ovn?.stop();
  });

  it('programs router, subnets, node and pods so ovn-controller installs the ports', async () => {
    assert.deepEqual(nb.readiness.run(), { ok: true });
    assert.equal((await nb.ensureRouter()).ok, true);
    for (const s of SUBNETS) assert.deepEqual(await nb.ensureSubnet(s).then((r) => r.ok), true);
    assert.equal((await nb.ensureNode(NODE)).ok, true);
    const cni = createCniDouble(ovn);
    const binds = [POD_A, POD_B].map((p) => cni.addPod(p.pod, p.namespace, () => annotations.get(p.pod)));
    for (const p of [POD_A, POD_B]) {
      assert.equal((await nb.ensurePodPort(p)).ok, true);
      annotations.set(p.pod, { 'ovn.kubernetes.io/ip_address': p.ips[0] as string });
      assert.equal((await nb.setPortGroups(p, NODE.node)).ok, true);
      annotations.set(p.pod, { 'ovn.kubernetes.io/ip_address': p.ips[0] as string, 'ovn.kubernetes.io/routed': 'true' });
    }
    await Promise.all(binds);
    await cni.addNode(NODE.node);
  });

  it('writes nothing the second time (every ensure is idempotent)', async () => {
    for (const r of [await nb.ensureRouter(), ...(await Promise.all(SUBNETS.map((s) => nb.ensureSubnet(s)))), await nb.ensureNode(NODE), await nb.ensurePodPort(POD_A), await nb.setPortGroups(POD_A, NODE.node)]) {
      assert.deepEqual(r.ok && r.changed, false, JSON.stringify(r));
    }
    const lsps = await ovn.exec('ovn-nbctl', [`--db=${ovn.nb[0]?.unix}`, '--bare', '--columns=name', 'find', 'Logical_Switch', 'name=ovn-default']);
    assert.equal(lsps.trim().split('\n').filter(Boolean).length, 1);
  });

  it('answers a ping from the pod at its gateway, delivers across subnets, and reroutes outside traffic to the node', async () => {
    const mac = (await ovn.exec('ovn-nbctl', [`--db=${ovn.nb[0]?.unix}`, 'get', 'Logical_Router_Port', 'ovn-cluster-ovn-default', 'mac'])).trim().replace(/"/g, '');
    const gw = await ovnTrace(ovn, 'ovn-default', ping(POD_A, mac, '10.16.0.1'));
    assert.equal(lastOutput(gw), 'a.default', gw.slice(-1500));
    assert.match(gw, /icmp4\.type = 0;/); // the router turns the request into its echo reply
    assert.equal(lastOutput(await ovnTrace(ovn, 'ovn-default', ping(POD_A, mac, '10.17.0.2'))), 'b.default');
    const out = await ovnTrace(ovn, 'ovn-default', ping(POD_A, mac, '1.1.1.1'));
    assert.equal(lastOutput(out), 'node-kube-1', out.slice(-1500));
    assert.match(out, /lr_in_policy .*priority 29000/); // rerouted by the node's policy, not merely by the default route
  });

  it('answers the node at its join gateway (what the CNI daemon pings 200 times)', async () => {
    const mac = (await ovn.exec('ovn-nbctl', [`--db=${ovn.nb[0]?.unix}`, 'get', 'Logical_Router_Port', 'ovn-cluster-join', 'mac'])).trim().replace(/"/g, '');
    const flow = `inport=="node-kube-1" && eth.src==${NODE.mac} && ip4.src==${NODE.joinIps[0]} && eth.dst==${mac} && ip4.dst==100.64.0.1 && ip.ttl==64 && icmp4.type==8`;
    const out = await ovnTrace(ovn, 'join', flow);
    assert.equal(lastOutput(out), 'node-kube-1', out.slice(-1500));
    assert.match(out, /icmp4\.type = 0;/);
  });

  it('keeps the router port MAC across a restart (read back from NB)', async () => {
    const before = await ovn.exec('ovn-nbctl', [`--db=${ovn.nb[0]?.unix}`, 'get', 'Logical_Router_Port', 'ovn-cluster-blue', 'mac']);
    const second = connect(ovn);
    try {
      assert.equal(await second.client.whenSynced(10_000), true);
      const r = await second.nb.ensureSubnet(SUBNETS[2] as (typeof SUBNETS)[number]);
      assert.deepEqual(r.ok && r.changed, false);
    } finally {
      await second.client.close();
    }
    assert.equal(await ovn.exec('ovn-nbctl', [`--db=${ovn.nb[0]?.unix}`, 'get', 'Logical_Router_Port', 'ovn-cluster-blue', 'mac']), before);
  });

  it('finds drift column by column and repairs it', async () => {
    await ovn.exec('ovn-nbctl', [`--db=${ovn.nb[0]?.unix}`, 'lsp-set-addresses', 'a.default', '0a:00:00:10:00:99 10.16.0.99']);
    await ovn.exec('ovn-nbctl', [`--db=${ovn.nb[0]?.unix}`, 'lsp-del', 'b.default']);
    await waitUntil(() => nb.diff({ subnets: SUBNETS, nodes: [NODE], pods: [POD_A, POD_B] }).length >= 2);
    const drift = nb.diff({ subnets: SUBNETS, nodes: [NODE], pods: [POD_A, POD_B] });
    assert.deepEqual(drift.map((d) => [d.key, d.kind, d.column ?? '']).sort(), [['port/a.default', 'column', 'addresses'], ['port/b.default', 'member', 'ports'], ['port/b.default', 'missing', '']]);
    const repaired = await nb.repair({ subnets: SUBNETS, nodes: [NODE], pods: [POD_A, POD_B] });
    assert.equal(repaired.failed, 0);
    assert.deepEqual(nb.diff({ subnets: SUBNETS, nodes: [NODE], pods: [POD_A, POD_B] }), []);
  });

  it('collects an orphaned vendor row after two passes and never touches a foreign row', async () => {
    const db = `--db=${ovn.nb[0]?.unix}`;
    await ovn.exec('ovn-nbctl', [db, 'lsp-add', 'ovn-default', 'gone.default', '--', 'lsp-set-addresses', 'gone.default', '0a:00:00:10:00:77 10.16.0.77', '--', 'set', 'Logical_Switch_Port', 'gone.default', 'external_ids:vendor=kube-ovn', 'external_ids:pod=default/gone']);
    await ovn.exec('ovn-nbctl', [db, 'ls-add', 'foreign', '--', 'lsp-add', 'foreign', 'foreign-port']);
    await waitUntil(() => [...nb.cache.tables.get('Logical_Switch_Port')?.values() ?? []].some((r) => r['name'] === 'gone.default'));
    const owners = { podPorts: new Set(['a.default', 'b.default']), nodes: new Set([NODE.node]), subnets: new Set(SUBNETS.map((s) => s.name)) };
    assert.deepEqual((await nb.collectGarbage(owners)).removed, []);
    const second = await nb.collectGarbage(owners);
    assert.deepEqual(second.removed.map((o) => o.name), ['gone.default']);
    const names = await ovn.exec('ovn-nbctl', [db, '--bare', '--columns=name', 'list', 'Logical_Switch_Port']);
    assert.doesNotMatch(names, /gone\.default/);
    assert.match(names, /foreign-port/);
    assert.match(names, /a\.default/);
  });

  it('commits a burst of pods on a node that has no <subnet>.<node> group yet in one transaction', async () => {
    // Every pod of the batch finds the group missing; one insert must hold them all, or the
    // group's name index fails the batch and every pod is sent again alone.
    const methods: string[] = [];
    const burst = connect(ovn, { record: (_ms, a) => void methods.push(`${a.method}:${a.code}`) });
    try {
      assert.equal(await burst.client.whenSynced(10_000), true);
      methods.length = 0;
      const pods = Array.from({ length: 20 }, (_, i) => ({ pod: `burst-${i}`, namespace: 'default', subnet: 'blue', mac: `0a:00:00:11:01:${(i + 2).toString(16).padStart(2, '0')}`, ips: [`10.17.1.${i + 2}`], node: 'kube-9' }));
      const results = await Promise.all(pods.map((p) => burst.nb.ensurePodPort(p)));
      assert.deepEqual(results.filter((r) => !r.ok), []);
      assert.deepEqual(methods, ['transact:ok'], 'one transaction for the 20 ports and their group');
      const db = `--db=${ovn.nb[0]?.unix}`;
      const members = await ovn.exec('ovn-nbctl', [db, '--bare', '--columns=ports', 'find', 'Port_Group', 'name=blue.kube.9']);
      assert.equal(members.trim().split(/\s+/).length, 20);
      await Promise.all(pods.map((p) => burst.nb.deletePodPort(p.pod, p.namespace)));
      await ovn.exec('ovn-nbctl', [db, 'pg-del', 'blue.kube.9']);
    } finally {
      await burst.client.close();
    }
  });

  it('deletes a pod port and a node', async () => {
    assert.equal((await nb.deletePodPort('b', 'default')).ok, true);
    const deleted = await nb.deleteNode(NODE.node);
    assert.equal(deleted.ok, true, JSON.stringify(deleted));
    const db = `--db=${ovn.nb[0]?.unix}`;
    const names = await ovn.exec('ovn-nbctl', [db, '--bare', '--columns=name', 'list', 'Logical_Switch_Port']);
    assert.doesNotMatch(names, /b\.default|node-kube-1/);
    assert.equal((await ovn.exec('ovn-nbctl', [db, '--bare', '--columns=name', 'find', 'Port_Group', 'external_ids:node=kube-1'])).trim(), '');
    assert.doesNotMatch(await ovn.exec('ovn-nbctl', [db, 'lr-policy-list', 'ovn-cluster']), /100\.64\.0\.2/);
  });
});

async function waitUntil(f: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
