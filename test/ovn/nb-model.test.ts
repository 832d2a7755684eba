import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { findOrphans, gcPass } from '../../src/ovn/nb-gc.js';
import { ensurePodPortOps, ensureRouterOps, ensureSubnetOps } from '../../src/ovn/nb-model.js';
import type { NbContext } from '../../src/ovn/nb-model.js';
import { randomMac, subnetNodePortGroupName } from '../../src/ovn/nb-names.js';
import { ensureNodeOps } from '../../src/ovn/nb-node.js';
import { Tx } from '../../src/ovn/nb-tx.js';
import { encodeOperation } from '../../src/ovn/protocol.js';
import { cacheWith, map, set, uuid } from './fixtures.js';

const CTX: NbContext = { router: 'ovn-cluster', nodeSwitch: 'join', nodeSwitchGateways: ['100.64.0.1'], newMac: () => '0a:00:00:00:00:aa' };
const VENDOR = map({ vendor: 'kube-ovn' });

/** NB with the router, switch `ovn-default` and one pod port `a.default`. */
function setup(port: Record<string, unknown> = { name: 'a.default', addresses: '0a:00:00:10:00:02 10.16.0.2', external_ids: map({ vendor: 'kube-ovn', ls: 'ovn-default', pod: 'default/a' }) }, more: Record<string, Record<string, Record<string, unknown>>> = {}) {
  const cache = cacheWith({
    ...more,
    Logical_Router: { r1: { name: 'ovn-cluster', external_ids: VENDOR } },
    Logical_Switch: { s1: { name: 'ovn-default', ports: set(uuid('p1')), external_ids: VENDOR }, s2: { name: 'join', external_ids: VENDOR } },
    Logical_Switch_Port: { p1: port },
  });
  const build = (f: (tx: Tx) => unknown) => {
    const tx = new Tx();
    const problem = f(tx);
    return { problem, ops: tx.operations().map(encodeOperation) };
  };
  return { cache, build };
}

const POD = { pod: 'a', namespace: 'default', subnet: 'ovn-default', mac: '0a:00:00:10:00:02', ips: ['10.16.0.2'] };

describe('NB model builds', () => {
  it('writes nothing for a pod port that is as it should be', () => {
    const { cache, build } = setup();
    assert.deepEqual(build((tx) => ensurePodPortOps(tx, cache, POD)).ops, []);
  });

  it('inserts a new pod port and adds it to its switch in the same transaction, many ports in one mutate', () => {
    const { cache, build } = setup();
    const { ops } = build((tx) => {
      ensurePodPortOps(tx, cache, { ...POD, pod: 'b', ips: ['10.16.0.3', 'fd00::3'] });
      ensurePodPortOps(tx, cache, { ...POD, pod: 'c', ips: ['10.16.0.4'] });
    });
    assert.deepEqual(ops, [
      { op: 'insert', table: 'Logical_Switch_Port', row: { name: 'b.default', addresses: ['set', ['0a:00:00:10:00:02 10.16.0.3 fd00::3']], external_ids: ['map', [['vendor', 'kube-ovn'], ['ls', 'ovn-default'], ['pod', 'default/b']]] }, 'uuid-name': 'lsp_0' },
      { op: 'insert', table: 'Logical_Switch_Port', row: { name: 'c.default', addresses: ['set', ['0a:00:00:10:00:02 10.16.0.4']], external_ids: ['map', [['vendor', 'kube-ovn'], ['ls', 'ovn-default'], ['pod', 'default/c']]] }, 'uuid-name': 'lsp_1' },
      { op: 'mutate', table: 'Logical_Switch', where: [['_uuid', '==', ['uuid', 's1']]], mutations: [['ports', 'insert', ['set', [['named-uuid', 'lsp_0'], ['named-uuid', 'lsp_1']]]]] },
    ]);
  });

  it('puts a new scheduled pod\'s port in <subnet>.<node> by its named uuid, in the same transaction as the port (issue 14)', () => {
    const pg = { name: subnetNodePortGroupName('ovn-default', 'kube-1'), ports: set(uuid('p1')), external_ids: map({ vendor: 'kube-ovn', subnet: 'ovn-default', node: 'kube-1', np: '' }) };
    const { cache: withGroup, build } = setup(undefined, { Port_Group: { g1: pg } });
    const { ops } = build((tx) => ensurePodPortOps(tx, withGroup, { ...POD, pod: 'b', ips: ['10.16.0.3'], node: 'kube-1' }));
    assert.deepEqual(ops.map((o) => `${String(o['op'])} ${String(o['table'])}`), ['insert Logical_Switch_Port', 'mutate Logical_Switch', 'mutate Port_Group']);
    assert.deepEqual(ops[2], { op: 'mutate', table: 'Port_Group', where: [['_uuid', '==', ['uuid', 'g1']]], mutations: [['ports', 'insert', ['set', [['named-uuid', 'lsp_0']]]]] });
    assert.deepEqual(build((tx) => ensurePodPortOps(tx, withGroup, { ...POD, node: 'kube-1' })).ops, [], 'a.default is a member already: nothing to write');
  });

  it('creates <subnet>.<node> with a scheduled pod\'s existing port when the group is missing', () => {
    const { cache, build } = setup();
    const { ops } = build((tx) => ensurePodPortOps(tx, cache, { ...POD, node: 'kube-1' }));
    assert.deepEqual(ops, [
      { op: 'insert', table: 'Port_Group', row: { name: 'ovn.default.kube.1', external_ids: ['map', [['vendor', 'kube-ovn'], ['subnet', 'ovn-default'], ['node', 'kube-1'], ['np', '']]], ports: ['set', [['uuid', 'p1']]] } },
    ]);
  });

  it('inserts a missing <subnet>.<node> once when several pods of one batch need it, holding all their ports', () => {
    // Two inserts of one name would fail the whole transaction on Port_Group's name index.
    const { cache, build } = setup();
    const { ops } = build((tx) => {
      ensurePodPortOps(tx, cache, { ...POD, node: 'kube-1' });
      ensurePodPortOps(tx, cache, { ...POD, pod: 'b', mac: '0a:00:00:10:00:03', ips: ['10.16.0.3'], node: 'kube-1' });
      ensurePodPortOps(tx, cache, { ...POD, pod: 'c', mac: '0a:00:00:10:00:04', ips: ['10.16.0.4'], node: 'kube-1' });
    });
    const groups = ops.filter((o) => o['op'] === 'insert' && o['table'] === 'Port_Group');
    assert.equal(groups.length, 1, JSON.stringify(ops));
    assert.deepEqual((groups[0]?.['row'] as Record<string, unknown>)['ports'], ['set', [['uuid', 'p1'], ['named-uuid', 'lsp_0'], ['named-uuid', 'lsp_1']]]);
  });

  it('repairs a drifted column and keeps external_ids keys that are not ours', () => {
    const { cache, build } = setup({ name: 'a.default', addresses: '0a:00:00:10:00:02 10.16.0.99', external_ids: map({ vendor: 'kube-ovn', ls: 'ovn-default', pod: 'default/a', extra: 'x' }) });
    assert.deepEqual(build((tx) => ensurePodPortOps(tx, cache, POD)).ops, [
      { op: 'update', table: 'Logical_Switch_Port', where: [['_uuid', '==', ['uuid', 'p1']]], row: { addresses: ['set', ['0a:00:00:10:00:02 10.16.0.2']] } },
    ]);
  });

  it('says NoSwitch for a pod of a subnet that has no switch yet', () => {
    const { cache, build } = setup();
    assert.deepEqual(build((tx) => ensurePodPortOps(tx, cache, { ...POD, subnet: 'blue' })).problem, { problem: 'NoSwitch', detail: 'logical switch blue does not exist yet' });
  });

  it('guards a new switch with a wait so a resent transaction cannot duplicate it', () => {
    const { cache, build } = setup();
    const { ops } = build((tx) => ensureSubnetOps(tx, cache, CTX, { name: 'blue', cidrs: ['10.17.0.0/16'], gateways: ['10.17.0.1'] }));
    assert.deepEqual(ops[0], { op: 'wait', table: 'Logical_Switch', where: [['name', '==', 'blue']], columns: ['name'], until: '==', rows: [], timeout: 0 });
    const inserts = ops.filter((o) => o['op'] === 'insert').map((o) => [o['table'], (o['row'] as Record<string, unknown>)['name'] ?? (o['row'] as Record<string, unknown>)['match']]);
    assert.deepEqual(inserts, [['Logical_Switch_Port', 'blue-ovn-cluster'], ['Logical_Switch', 'blue'], ['Logical_Router_Port', 'ovn-cluster-blue'], ['Logical_Router_Policy', 'ip4.dst == 10.17.0.0/16']]);
    const lrp = ops.find((o) => o['table'] === 'Logical_Router_Port')?.['row'] as Record<string, unknown>;
    assert.deepEqual(lrp['networks'], ['set', ['10.17.0.1/16']]);
    assert.equal(lrp['mac'], '0a:00:00:00:00:aa');
  });

  it('adds the default route to the join gateway under a guard on static_routes', () => {
    const { cache, build } = setup();
    const { ops } = build((tx) => ensureRouterOps(tx, cache, CTX));
    assert.deepEqual(ops.map((o) => [o['op'], o['table']]), [['update', 'Logical_Router'], ['wait', 'Logical_Router'], ['insert', 'Logical_Router_Static_Route'], ['mutate', 'Logical_Router']]);
    assert.deepEqual(ops[2]?.['row'], { ip_prefix: '0.0.0.0/0', nexthop: '100.64.0.1', policy: 'dst-ip', external_ids: ['map', [['vendor', 'kube-ovn']]] });
  });

  it('makes the node port, its port groups and the 30000/29000 reroutes', () => {
    const { cache, build } = setup();
    const { ops } = build((tx) => ensureNodeOps(tx, cache, CTX, { node: 'kube-1', joinIps: ['100.64.0.2'], mac: '0a:00:00:00:00:02', internalIps: ['172.18.0.2'], subnets: ['ovn-default'] }));
    const policies = ops.filter((o) => o['table'] === 'Logical_Router_Policy').map((o) => (o['row'] as Record<string, unknown>)['match']);
    assert.deepEqual(policies, ['ip4.dst == 172.18.0.2', 'ip4.src == $ovn.default.kube.1_ip4']);
    const groups = ops.filter((o) => o['table'] === 'Port_Group').map((o) => (o['row'] as Record<string, unknown>)['name']);
    assert.deepEqual(groups, ['node.kube.1', 'ovn.default.kube.1']);
  });
});

describe('names and MACs', () => {
  it('turns dashes into dots in port group names (OVN identifiers cannot hold `-`)', () => {
    assert.equal(subnetNodePortGroupName('ovn-default', 'kind-worker'), 'ovn.default.kind.worker');
  });
  it('makes locally administered unicast MACs', () => {
    assert.equal(randomMac(() => new Uint8Array([0xff, 1, 2, 3, 4, 5])), 'fe:01:02:03:04:05');
    assert.equal(randomMac(() => new Uint8Array([0x00, 0, 0, 0, 0, 1])), '02:00:00:00:00:01');
  });
});

describe('garbage collection', () => {
  const cache = cacheWith({
    Logical_Switch: { s1: { name: 'ovn-default', ports: set(uuid('p1'), uuid('p2'), uuid('p3')), external_ids: VENDOR }, s9: { name: 'old', external_ids: VENDOR }, sf: { name: 'foreign' } },
    Logical_Switch_Port: {
      p1: { name: 'a.default', external_ids: map({ vendor: 'kube-ovn', pod: 'default/a' }) },
      p2: { name: 'gone.default', external_ids: map({ vendor: 'kube-ovn', pod: 'default/gone' }) },
      p3: { name: 'theirs', external_ids: map({ pod: 'default/theirs' }) },
      p4: { name: 'node-gone', external_ids: map({ vendor: 'kube-ovn', ls: 'join' }) },
      p5: { name: 'vip-1', external_ids: map({ vendor: 'kube-ovn', ls: 'ovn-default' }) },
      p6: { name: 'ovn-default-vpc1', type: 'router', external_ids: VENDOR },
      p7: { name: 'old-ovn-cluster', type: 'router', external_ids: VENDOR },
    },
    Port_Group: { g1: { name: 'np.default.web', external_ids: map({ vendor: 'kube-ovn', np: 'default/web' }) }, g2: { name: 'node.gone', external_ids: map({ vendor: 'kube-ovn', node: 'gone' }) } },
    Logical_Router_Policy: { r1: { priority: 31000, match: 'ip4.dst == 10.99.0.0/16', action: 'allow', external_ids: map({ vendor: 'kube-ovn', subnet: 'old' }) }, r2: { priority: 29400, match: 'x', action: 'allow', external_ids: VENDOR } },
    Logical_Router_Port: { l1: { name: 'ovn-cluster-old', external_ids: VENDOR }, l2: { name: 'vpc1-ovn-default', external_ids: VENDOR } },
  });
  const owners = { podPorts: new Set(['a.default']), nodes: new Set<string>(), subnets: new Set(['ovn-default']) };

  it('lists only vendor rows of kinds it writes that no owner explains', () => {
    assert.deepEqual(findOrphans(cache, CTX, owners).map((o) => o.name).sort(), ['gone.default', 'ip4.dst == 10.99.0.0/16', 'node-gone', 'node.gone', 'old', 'old-ovn-cluster', 'ovn-cluster-old']);
  });

  it('removes a row only on its second orphaned pass', () => {
    const first = gcPass(new Set(), findOrphans(cache, CTX, owners));
    assert.deepEqual(first.remove, []);
    const second = gcPass(first.suspects, findOrphans(cache, CTX, { podPorts: owners.podPorts, nodes: new Set(['gone']), subnets: new Set(['ovn-default', 'old']) }));
    assert.deepEqual(second.remove.map((o) => o.name), ['gone.default']);
    assert.deepEqual([...second.suspects], []);
  });
});
