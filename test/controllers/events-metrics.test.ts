import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEventRecorder } from '../../src/controllers/events.js';
import { subnetUsagePoints } from '../../src/controllers/subnet/metrics.js';
import { createIpam } from '../../src/ipam/index.js';
import { RESOURCES } from '../../src/kube/index.js';
import { createLogger } from '../../src/log/index.js';
import type { EventInput, KubeObject } from '../../src/kube/index.js';

function setup(options: { maxPending?: number; hold?: boolean } = {}) {
  let t = 1_000_000;
  const sent: EventInput[] = [];
  const release: Array<() => void> = [];
  const client = {
    createEvent: async (input: EventInput): Promise<KubeObject> => {
      sent.push(input);
      if (options.hold === true) await new Promise<void>((resolve) => release.push(resolve));
      return { metadata: {} };
    },
  };
  const clock = { now: () => t, setTimer: () => () => {} };
  const recorder = createEventRecorder({ client, logger: createLogger({ level: 'silent' }), clock, maxInFlight: 1, ...(options.maxPending === undefined ? {} : { maxPending: options.maxPending }) });
  const pod: KubeObject = { metadata: { name: 'p', namespace: 'ns', uid: 'u1' } };
  return { recorder, sent, pod, advance: (ms: number) => void (t += ms), release };
}

describe('event recorder', () => {
  it('sends at most one event per object and reason per 30 s', async () => {
    const { recorder, sent, pod, advance } = setup();
    recorder.record(RESOURCES.pods, pod, 'Warning', 'AcquireAddressFailed', 'NoAvailableAddress: full');
    recorder.record(RESOURCES.pods, pod, 'Warning', 'AcquireAddressFailed', 'NoAvailableAddress: full');
    recorder.record(RESOURCES.pods, pod, 'Normal', 'PodNetworkAllocated', 'allocated');
    advance(30_000);
    recorder.record(RESOURCES.pods, pod, 'Warning', 'AcquireAddressFailed', 'NoAvailableAddress: full');
    await recorder.idle();
    assert.deepEqual(sent.map((e) => e.reason), ['AcquireAddressFailed', 'PodNetworkAllocated', 'AcquireAddressFailed']);
    assert.deepEqual(sent[0]?.involvedObject, { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'ns', uid: 'u1' });
  });

  const bounds: Array<[string, 'Warning' | 'Normal', number]> = [
    ['drops Warning events beyond the backlog bound instead of growing memory', 'Warning', 21],
    ['keeps only a tenth of the backlog for Normal events during a burst', 'Normal', 3],
  ];
  for (const [name, type, expected] of bounds) {
    it(name, async () => {
      const { recorder, sent, release } = setup({ maxPending: 20, hold: true });
      for (let i = 0; i < 30; i++) recorder.record(RESOURCES.pods, { metadata: { name: `p${i}`, namespace: 'ns' } }, type, 'R', 'x');
      for (let spins = 0; spins < 1000 && (release.length > 0 || sent.length < expected); spins++) {
        await new Promise((r) => setImmediate(r));
        release.shift()?.();
      }
      await recorder.idle();
      assert.equal(sent.length, expected, 'one in flight plus the queued ones');
    });
  }
});

describe('subnet usage gauges', () => {
  it('reports one point per subnet family with its CIDR, and nothing for deleted subnets', () => {
    const ipam = createIpam();
    ipam.upsertSubnet({ name: 'dual', cidrBlock: '10.0.0.0/24,fd00::/120' });
    ipam.upsertSubnet({ name: 'gone', cidrBlock: '10.1.0.0/24' });
    ipam.allocate('ns/a', 'dual');
    ipam.deleteSubnet('gone');
    assert.deepEqual(subnetUsagePoints(ipam, 'used'), [
      { attributes: { subnet_name: 'dual', protocol: 'IPv4', subnet_cidr: '10.0.0.0/24' }, value: 1 },
      { attributes: { subnet_name: 'dual', protocol: 'IPv6', subnet_cidr: 'fd00::/120' }, value: 1 },
    ]);
    assert.deepEqual(subnetUsagePoints(ipam, 'available').map((p) => p.value), [252, 252]);
    assert.deepEqual(subnetUsagePoints(undefined, 'used'), []);
  });
});
