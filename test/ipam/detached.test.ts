// DESIGN §7a (issue 10 case 2): a subnet's allocations survive the Subnet object vanishing and
// are re-admitted before any new allocation when it returns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIpam } from '../../src/ipam/index.js';
import type { AllocateResult, Allocation } from '../../src/ipam/index.js';

function ok(r: AllocateResult): Allocation {
  if (!r.ok) assert.fail(`${r.reason}: ${r.message}`);
  return r;
}

const TEAM = { name: 'team', cidrBlock: '10.70.0.0/24' };

describe('detached claims', () => {
  it('keeps the allocations of a deleted subnet and re-admits them before a new allocation', () => {
    const ipam = createIpam();
    ipam.upsertSubnet(TEAM);
    const t1 = ok(ipam.allocate('team/t1', 'team'));
    assert.equal(t1.ip, '10.70.0.2');
    assert.equal(ipam.deleteSubnet('team'), true);
    assert.equal(ipam.subnet('team'), undefined);
    assert.equal(ipam.get('team/t1')?.ip, '10.70.0.2', 'still held, detached');
    assert.deepEqual(ipam.detached().map((a) => a.key), ['team/t1']);
    const again = ipam.upsertSubnet(TEAM);
    assert.equal(again.ok && again.refused, undefined);
    assert.deepEqual(ipam.detached(), []);
    assert.equal(ipam.get('team/t1', 'team')?.ip, '10.70.0.2');
    assert.equal(ipam.get('team/t1', 'team')?.mac, t1.mac, 'the MAC too');
    assert.equal(ok(ipam.allocate('team/t2', 'team')).ip, '10.70.0.3', 'the next pod does not get t1\'s address');
  });

  it('holds claims for a subnet not served yet (rebuild before the Subnet is seen) and refuses a second key on one address', () => {
    const ipam = createIpam();
    const held = ok(ipam.hold('team/t1', 'team', { v4: '10.70.0.7', mac: '0a:00:00:00:00:07', cidr: '10.70.0.0/24', gateway: '10.70.0.1' }));
    assert.deepEqual([held.ip, held.cidr, held.gateway], ['10.70.0.7', '10.70.0.0/24', '10.70.0.1']);
    const clash = ipam.hold('team/t9', 'team', { v4: '10.70.0.7' });
    assert.equal(clash.ok, false);
    assert.equal(!clash.ok && clash.reason, 'AddressConflict');
    ipam.upsertSubnet(TEAM);
    assert.equal(ipam.get('team/t1', 'team')?.mac, '0a:00:00:00:00:07');
    for (let i = 0; i < 253; i++) {
      const a = ipam.allocate(`team/n${i}`, 'team');
      if (a.ok) assert.notEqual(a.ip, '10.70.0.7');
    }
  });

  it('reports a claim the returning subnet cannot re-admit and keeps it detached', () => {
    const ipam = createIpam();
    ipam.hold('team/t1', 'team', { v4: '10.99.0.5' });
    const r = ipam.upsertSubnet(TEAM);
    assert.equal(r.ok, true);
    assert.deepEqual(r.ok ? r.refused?.map((x) => [x.key, x.reason]) : [], [['team/t1', 'AddressOutOfRange']]);
    assert.equal(ipam.get('team/t1')?.ip, '10.99.0.5', 'never silently dropped');
  });

  it('releases a detached claim by key', () => {
    const ipam = createIpam();
    ipam.upsertSubnet(TEAM);
    ok(ipam.allocate('team/t1', 'team'));
    ipam.deleteSubnet('team');
    assert.equal(ipam.release('team/t1'), 1);
    assert.equal(ipam.get('team/t1'), undefined);
    ipam.upsertSubnet(TEAM);
    assert.equal(ok(ipam.allocate('team/t2', 'team')).ip, '10.70.0.2');
  });

  it('holds like restore when the subnet is served', () => {
    const ipam = createIpam();
    ipam.upsertSubnet(TEAM);
    assert.equal(ok(ipam.hold('team/t1', 'team', { v4: '10.70.0.9' })).cidr, '10.70.0.0/24');
    assert.deepEqual(ipam.detached(), []);
  });
});
