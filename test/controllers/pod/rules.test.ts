import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createIpam } from '../../../src/ipam/index.js';
import {
  allocationPatch,
  annotationsMatch,
  chooseSubnet,
  ipNameOfPodKey,
  isPodAlive,
  podChanged,
  podKeyOfIpName,
  readAllocation,
  staticRequest,
} from '../../../src/controllers/pod/rules.js';
import type { Allocation } from '../../../src/ipam/index.js';
import type { Pod, SubnetCandidate } from '../../../src/controllers/pod/rules.js';

const NOW = Date.parse('2026-01-02T03:04:05Z');

function podOf(fields: { phase?: string; reason?: string; restartPolicy?: string; deletionTimestamp?: string; grace?: number; annotations?: Record<string, string>; namespace?: string } = {}): Pod {
  return {
    metadata: {
      name: 'p',
      namespace: fields.namespace ?? 'ns',
      ...(fields.annotations === undefined ? {} : { annotations: fields.annotations }),
      ...(fields.deletionTimestamp === undefined ? {} : { deletionTimestamp: fields.deletionTimestamp, deletionGracePeriodSeconds: fields.grace ?? 30 }),
    },
    spec: { ...(fields.restartPolicy === undefined ? {} : { restartPolicy: fields.restartPolicy }) },
    status: { ...(fields.phase === undefined ? {} : { phase: fields.phase }), ...(fields.reason === undefined ? {} : { reason: fields.reason }) },
  };
}

function setup(): Allocation {
  const ipam = createIpam({ random: (b) => b.fill(7) });
  ipam.upsertSubnet({ name: 'dual', cidrBlock: '10.16.0.0/16,fd00::/64' });
  return ipam.allocate('ns/p', 'dual') as Allocation;
}

describe('pod liveness (Kube-OVN isPodAlive)', () => {
  const cases: Array<[string, Parameters<typeof podOf>[0], boolean]> = [
    ['a running pod is alive', { phase: 'Running' }, true],
    ['a pending pod is alive', { phase: 'Pending' }, true],
    ['a succeeded pod with restartPolicy Never is finished', { phase: 'Succeeded', restartPolicy: 'Never' }, false],
    ['a succeeded pod with restartPolicy OnFailure is finished', { phase: 'Succeeded', restartPolicy: 'OnFailure' }, false],
    ['a succeeded pod with restartPolicy Always restarts, so it is alive', { phase: 'Succeeded', restartPolicy: 'Always' }, true],
    ['a failed pod with restartPolicy Never is finished', { phase: 'Failed', restartPolicy: 'Never' }, false],
    ['a failed pod with restartPolicy OnFailure restarts, so it is alive', { phase: 'Failed', restartPolicy: 'OnFailure' }, true],
    ['an evicted pod is finished', { phase: 'Failed', reason: 'Evicted' }, false],
    ['a deleting pod inside its grace period is alive', { phase: 'Running', deletionTimestamp: '2026-01-02T03:04:00Z', grace: 30 }, true],
    ['a deleting pod past its grace period is finished', { phase: 'Running', deletionTimestamp: '2026-01-02T03:03:00Z', grace: 30 }, false],
  ];
  for (const [name, fields, alive] of cases) it(name, () => assert.equal(isPodAlive(podOf(fields), NOW), alive));
});

describe('subnet choice', () => {
  const candidate = (name: string, namespaces: string[], createdAt: string, hasFree = true): SubnetCandidate => ({ name, namespaces, createdAt, hasFree });
  const cases: Array<[string, Pod, SubnetCandidate[], string]> = [
    ['the logical_switch annotation wins', podOf({ annotations: { 'ovn.kubernetes.io/logical_switch': 'mine' } }), [candidate('bound', ['ns'], '2026-01-01T00:00:00Z')], 'mine'],
    ['a namespace without bound subnets gets the default subnet', podOf({ namespace: 'other' }), [candidate('bound', ['ns'], '2026-01-01T00:00:00Z')], 'ovn-default'],
    ['the oldest bound subnet with free addresses is chosen', podOf(), [candidate('young', ['ns'], '2026-01-02T00:00:00Z'), candidate('old', ['ns'], '2026-01-01T00:00:00Z')], 'old'],
    ['a full bound subnet is skipped for one with free addresses', podOf(), [candidate('young', ['ns'], '2026-01-02T00:00:00Z'), candidate('old', ['ns'], '2026-01-01T00:00:00Z', false)], 'young'],
    ['when every bound subnet is full the first is kept (no spill into the default subnet)', podOf(), [candidate('b', ['ns'], '2026-01-01T00:00:00Z', false), candidate('a', ['ns'], '2026-01-01T00:00:00Z', false)], 'a'],
  ];
  for (const [name, pod, candidates, want] of cases) it(name, () => assert.equal(chooseSubnet(pod, candidates, 'ovn-default'), want));
});

describe('allocation annotations', () => {
  it('writes the six Kube-OVN annotations in one patch', () => {
    const a = setup();
    assert.deepEqual(allocationPatch(a), {
      metadata: {
        annotations: {
          'ovn.kubernetes.io/ip_address': '10.16.0.2,fd00::2',
          'ovn.kubernetes.io/mac_address': a.mac,
          'ovn.kubernetes.io/cidr': '10.16.0.0/16,fd00::/64',
          'ovn.kubernetes.io/gateway': '10.16.0.1,fd00::1',
          'ovn.kubernetes.io/logical_switch': 'dual',
          'ovn.kubernetes.io/allocated': 'true',
        },
      },
    });
  });

  it('reads an allocation back from annotations and tells when they match', () => {
    const a = setup();
    const pod = podOf({ annotations: allocationPatch(a).metadata.annotations });
    assert.deepEqual(readAllocation(pod), { subnet: 'dual', ip: '10.16.0.2,fd00::2', addresses: { v4: '10.16.0.2', v6: 'fd00::2', mac: a.mac } });
    assert.equal(annotationsMatch(pod, a), true);
    assert.equal(annotationsMatch(podOf(), a), false);
  });

  it('ignores annotations without allocated: "true" or with an unparsable address', () => {
    assert.equal(readAllocation(podOf({ annotations: { 'ovn.kubernetes.io/ip_address': '10.0.0.1', 'ovn.kubernetes.io/logical_switch': 's' } })), undefined);
    assert.equal(readAllocation(podOf({ annotations: { 'ovn.kubernetes.io/ip_address': 'nope', 'ovn.kubernetes.io/logical_switch': 's', 'ovn.kubernetes.io/allocated': 'true' } })), undefined);
  });

  it('takes static IP and MAC requests from annotations', () => {
    assert.deepEqual(staticRequest(podOf({ annotations: { 'ovn.kubernetes.io/ip_address': '10.16.0.9', 'ovn.kubernetes.io/mac_address': '0a:00:00:00:00:01' } })), { ip: '10.16.0.9', mac: '0a:00:00:00:00:01' });
    assert.equal(staticRequest(podOf()), undefined);
  });
});

describe('IP object names', () => {
  it('maps pod keys to <pod>.<namespace> and back, with dots in pod names', () => {
    assert.equal(ipNameOfPodKey('ns/web.v1'), 'web.v1.ns');
    assert.equal(podKeyOfIpName('web.v1.ns'), 'ns/web.v1');
    assert.equal(podKeyOfIpName('nodot'), undefined);
  });
});

describe('pod change filter', () => {
  it('reconciles on annotation, phase and deletion changes and on resyncs, not on unrelated ones', () => {
    const base = podOf({ phase: 'Running' });
    assert.equal(podChanged(base, base), true, 'resync');
    assert.equal(podChanged(base, { ...base, metadata: { ...base.metadata, labels: { a: 'b' } } }), false);
    assert.equal(podChanged(base, podOf({ phase: 'Succeeded' })), true);
    assert.equal(podChanged(base, { ...base, metadata: { ...base.metadata, annotations: { 'ovn.kubernetes.io/allocated': 'true' } } }), true);
  });
});

describe('slimPod', () => {
  it('keeps exactly what the controllers read and drops the rest of the pod', async () => {
    const { slimPod, isPodAlive, podChanged } = await import('../../../src/controllers/pod/rules.js');
    const full = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        namespace: 'ns',
        uid: 'u1',
        resourceVersion: '7',
        creationTimestamp: '2026-01-02T03:04:05Z',
        deletionTimestamp: '2026-01-02T03:05:05Z',
        deletionGracePeriodSeconds: 30,
        annotations: { 'ovn.kubernetes.io/allocated': 'true', 'ovn.kubernetes.io/routed': 'true', 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}', 'kubectl.kubernetes.io/restartedAt': 'x' },
        labels: { app: 'x' },
        managedFields: [{ manager: 'kubectl' }],
      },
      spec: { nodeName: 'n1', hostNetwork: false, restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }], volumes: [] },
      status: { phase: 'Failed', reason: 'Evicted', conditions: [{ type: 'Ready' }] },
    };
    const slim = slimPod(full);
    assert.deepEqual(slim, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        namespace: 'ns',
        uid: 'u1',
        resourceVersion: '7',
        creationTimestamp: '2026-01-02T03:04:05Z',
        deletionTimestamp: '2026-01-02T03:05:05Z',
        deletionGracePeriodSeconds: 30,
        annotations: { 'ovn.kubernetes.io/allocated': 'true', 'ovn.kubernetes.io/routed': 'true' },
      },
      spec: { nodeName: 'n1', hostNetwork: false, restartPolicy: 'Never' },
      status: { phase: 'Failed', reason: 'Evicted' },
    });
    const now = Date.parse('2026-01-02T03:04:30Z');
    assert.equal(isPodAlive(slim, now), isPodAlive(full, now), 'liveness reads the same from the slim pod');
    assert.equal(podChanged(full, slim), false, 'no reconcile-relevant field is lost');
    assert.equal('annotations' in slimPod({ ...full, metadata: { ...full.metadata, annotations: { 'prometheus.io/scrape': 'true' } } }).metadata, false, 'no empty annotations object is cached');
  });
});

describe('withAllocationOf', () => {
  it('lets podChanged see only the non-allocation changes: an echo of our patch is no change, a phase change still is', async () => {
    const { withAllocationOf, podChanged } = await import('../../../src/controllers/pod/rules.js');
    const before = { metadata: { name: 'p', namespace: 'ns', uid: 'u', annotations: { team: 'a' } }, spec: { nodeName: 'n1' }, status: { phase: 'Pending' } };
    const allocated = {
      ...before,
      metadata: {
        ...before.metadata,
        annotations: { team: 'a', 'ovn.kubernetes.io/allocated': 'true', 'ovn.kubernetes.io/ip_address': '10.16.0.2', 'ovn.kubernetes.io/logical_switch': 'ovn-default' },
      },
    };
    assert.equal(podChanged(before, allocated), true, 'the raw comparison sees the annotations');
    assert.equal(podChanged(before, withAllocationOf(allocated, before)), false, 'the echo alone');
    const running = { ...allocated, status: { phase: 'Running' } };
    assert.equal(podChanged(before, withAllocationOf(running, before)), true, 'echo plus a phase change');
    const moved = { ...allocated, spec: { nodeName: 'n2' } };
    assert.equal(podChanged(before, withAllocationOf(moved, before)), true, 'echo plus scheduling');
  });
});

describe('POD_FIELDS', () => {
  it('covers every field slimPod reads: slimPod of a pod decoded to POD_FIELDS equals slimPod of the whole pod', async () => {
    const { POD_FIELDS, slimPod } = await import('../../../src/controllers/pod/rules.js');
    const { projectObject } = await import('../../../src/kube/client/index.js');
    const { realisticPod } = await import('../../../bench/support/realistic-pod.js');
    const viaFields = (pod: unknown): Pod => {
      const b = Buffer.from(JSON.stringify(pod));
      return slimPod(JSON.parse(projectObject(b, 0, b.length, POD_FIELDS) ?? 'null') as Pod);
    };
    for (let i = 0; i < 20; i++) {
      const pod = realisticPod('ns', `p-${i}`, i, { 'ovn.kubernetes.io/allocated': 'true', 'ovn.kubernetes.io/ip_address': `10.16.0.${i}` }) as unknown as Pod;
      assert.deepEqual(viaFields(pod), slimPod(pod));
    }
    // Any value in any of the fields slimPod reads, present or not, beside fields it does not.
    const value = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null), fc.dictionary(fc.constantFrom('ovn.kubernetes.io/allocated', 'ovn.kubernetes.io/routed', 'app', 'x'), fc.string({ maxLength: 4 }), { maxKeys: 3 }));
    const part = (names: readonly string[]) => fc.dictionary(fc.constantFrom(...names, 'managedFields', 'labels', 'containers', 'conditions'), value, { maxKeys: 6 });
    const pod = fc.record({
      apiVersion: value,
      kind: value,
      metadata: part(['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'annotations']),
      spec: fc.oneof(part(['nodeName', 'hostNetwork', 'restartPolicy']), fc.constant(null)),
      status: fc.oneof(part(['phase', 'reason']), fc.constant(null)),
      extra: value,
    }, { requiredKeys: ['metadata'] });
    fc.assert(fc.property(pod, (p) => assert.deepEqual(viaFields(p), slimPod(JSON.parse(JSON.stringify(p)) as Pod))), { numRuns: 500 });
  });
});
