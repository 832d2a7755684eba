// The chaos test's invariant checker must be able to fail: pure cases, no cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSnapshot, emptyCounts } from '../support/chaos/invariants.js';
import type { History, Snapshot } from '../support/chaos/invariants.js';
import { ANN } from '../support/objects.js';
import type { Obj } from '../support/objects.js';

function pod(name: string, ip: string | undefined, extra: { ls?: string; mac?: string; phase?: string; uid?: string } = {}): Obj {
  const annotations: Record<string, string> = ip === undefined ? {} : { [ANN.allocated]: 'true', [ANN.ip]: ip, [ANN.mac]: extra.mac ?? `0a:00:00:00:00:${name.length}`, [ANN.ls]: extra.ls ?? 'ovn-default', [ANN.cidr]: '10.16.0.0/16', [ANN.gateway]: '10.16.0.1' };
  return { metadata: { name, namespace: 'default', uid: extra.uid ?? `uid-${name}`, annotations }, spec: { restartPolicy: 'Never' }, status: { phase: extra.phase ?? 'Running' } };
}
function ipObject(podName: string, ip: string, mac = `0a:00:00:00:00:${podName.length}`, subnet = 'ovn-default'): Obj {
  return { metadata: { name: `${podName}.default` }, spec: { podName, namespace: 'default', subnet, ipAddress: ip, macAddress: mac } };
}
const subnet = (using: number): Obj => ({ metadata: { name: 'ovn-default' }, spec: { cidrBlock: '10.16.0.0/16' }, status: { v4usingIPs: using } });
const gauge = (n: number) => `subnet_used_ip_count{subnet_name="ovn-default",protocol="IPv4",subnet_cidr="10.16.0.0/16"} ${n}\n`;

function setup() {
  const history: History = new Map();
  const counts = emptyCounts();
  const check = (snapshot: Snapshot, quiescent = true) =>
    checkSnapshot({ snapshot, history, counts, everServed: new Set(['ovn-default']), staticPods: new Set(), quiescent }).map((v) => v.invariant);
  return { check, counts };
}

describe('chaos invariants', () => {
  it('passes a consistent snapshot', () => {
    const { check } = setup();
    assert.deepEqual(check({ pods: [pod('a', '10.16.0.2'), pod('b', '10.16.0.3')], ips: [ipObject('a', '10.16.0.2'), ipObject('b', '10.16.0.3')], subnets: [subnet(2)], metrics: gauge(2) }), []);
  });

  it('catches one address in two live pods\' IP objects', () => {
    const { check } = setup();
    assert.ok(check({ pods: [pod('a', '10.16.0.2'), pod('b', '10.16.0.2')], ips: [ipObject('a', '10.16.0.2'), ipObject('b', '10.16.0.2')], subnets: [subnet(2)], metrics: gauge(2) }, false).includes('uniqueByIpObject'));
  });

  it('ignores the IP object of a finished pod for uniqueness but reports it as leaked', () => {
    const { check } = setup();
    const got = check({ pods: [pod('a', '10.16.0.2', { phase: 'Succeeded' }), pod('b', '10.16.0.2')], ips: [ipObject('a', '10.16.0.2'), ipObject('b', '10.16.0.2')], subnets: [subnet(1)], metrics: gauge(1) });
    assert.deepEqual(got, ['noIpObjectWithoutLivePod']);
  });

  it('catches an allocation that moves while the pod lives (the edit was followed)', () => {
    const { check } = setup();
    check({ pods: [pod('a', '10.16.0.2')], ips: [ipObject('a', '10.16.0.2')], subnets: [subnet(1)], metrics: gauge(1) });
    assert.ok(check({ pods: [pod('a', '10.16.0.77')], ips: [ipObject('a', '10.16.0.77')], subnets: [subnet(1)], metrics: gauge(1) }, false).includes('allocationNeverChanges'));
  });

  it('catches annotations that differ from the IP object, a pod left unallocated and status that miscounts', () => {
    const { check } = setup();
    const got = check({ pods: [pod('a', '10.16.0.9'), pod('b', undefined)], ips: [ipObject('a', '10.16.0.2')], subnets: [subnet(3)], metrics: gauge(3) });
    assert.deepEqual(got.sort(), ['annotationsEqualIpObject', 'everyLivePodAllocated', 'leaderGaugeCountsPods', 'subnetStatusCountsPods']);
  });

  it('catches a metric label that is not a served subnet', () => {
    const { check } = setup();
    const metrics = `${gauge(0)}ipam_allocations_total{subnet_name="junk-xxxx",result="error"} 3\nipam_allocations_total{subnet_name="unknown",result="error"} 1\n`;
    assert.deepEqual(check({ pods: [], ips: [], subnets: [subnet(0)], metrics }, false), ['closedMetricLabels']);
  });

  it('counts what it checked', () => {
    const { check, counts } = setup();
    check({ pods: [pod('a', '10.16.0.2')], ips: [ipObject('a', '10.16.0.2')], subnets: [subnet(1)], metrics: gauge(1) });
    assert.equal(counts.uniqueByIpObject.checked, 1);
    assert.equal(counts.subnetStatusCountsPods.checked, 1);
    assert.equal(counts.uniqueByIpObject.violated, 0);
  });
});
