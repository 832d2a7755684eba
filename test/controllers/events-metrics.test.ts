import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COMBINED_PREFIX, createEventCorrelator } from '../../src/controllers/event-correlator.js';
import { createEventRecorder } from '../../src/controllers/events.js';
import { subnetUsagePoints } from '../../src/controllers/subnet/metrics.js';
import { createIpam } from '../../src/ipam/index.js';
import { ApiError, RESOURCES } from '../../src/kube/index.js';
import { createLogger } from '../../src/log/index.js';
import type { EventInput, KubeObject } from '../../src/kube/index.js';

interface Call {
  readonly verb: 'create' | 'patch';
  readonly name: string;
  readonly count: number;
  readonly message: string;
  readonly reason?: string;
  readonly lastTimestamp?: string;
}

function setup(options: { maxPending?: number; hold?: boolean; expired?: boolean } = {}) {
  let t = 1_000_000;
  let created = 0;
  const sent: EventInput[] = [];
  const calls: Call[] = [];
  const release: Array<() => void> = [];
  const hold = async (): Promise<void> => {
    if (options.hold === true) await new Promise<void>((resolve) => release.push(resolve));
  };
  const client = {
    createEvent: async (input: EventInput): Promise<KubeObject> => {
      sent.push(input);
      created += 1;
      const name = `${input.involvedObject.name}.${created}`;
      calls.push({ verb: 'create', name, count: input.count ?? 1, message: input.message, reason: input.reason });
      await hold();
      return { metadata: { name, namespace: input.involvedObject.namespace ?? 'default' } };
    },
    mergePatch: async <T extends KubeObject>(_r: unknown, name: string, patch: unknown): Promise<T> => {
      const p = patch as { count: number; message: string; lastTimestamp: string };
      calls.push({ verb: 'patch', name, count: p.count, message: p.message, lastTimestamp: p.lastTimestamp });
      if (options.expired === true) throw new ApiError(404, 'NotFound', `events "${name}" not found`);
      await hold();
      return { metadata: { name } } as T;
    },
  };
  const clock = { now: () => t, setTimer: () => () => {} };
  const recorder = createEventRecorder({ client, logger: createLogger({ level: 'silent' }), clock, maxInFlight: 1, ...(options.maxPending === undefined ? {} : { maxPending: options.maxPending }) });
  const pod: KubeObject = { metadata: { name: 'p', namespace: 'ns', uid: 'u1' } };
  return { recorder, sent, calls, pod, advance: (ms: number) => void (t += ms), release };
}

describe('event recorder', () => {
  it('counts the same Event again on the one written: one create, then a patch with the latest count', async () => {
    const { recorder, calls, pod, advance } = setup();
    for (let i = 0; i < 3; i++) recorder.record(RESOURCES.pods, pod, 'Warning', 'AcquireAddressFailed', 'NoAvailableAddress: full');
    await recorder.idle();
    // The repeats arrived while the create was in flight: they join one patch.
    assert.deepEqual(calls.map((c) => [c.verb, c.name, c.count]), [['create', 'p.1', 1], ['patch', 'p.1', 3]]);
    advance(60_000);
    recorder.record(RESOURCES.pods, { ...pod, metadata: { ...pod.metadata, resourceVersion: '9' } }, 'Warning', 'AcquireAddressFailed', 'NoAvailableAddress: full');
    await recorder.idle();
    assert.deepEqual(calls.slice(2).map((c) => [c.verb, c.name, c.count, c.lastTimestamp]), [['patch', 'p.1', 4, '1970-01-01T00:17:40Z']]);
  });

  it('writes another Event for another message, reason or type', async () => {
    const { recorder, sent, pod } = setup();
    recorder.record(RESOURCES.pods, pod, 'Warning', 'AcquireAddressFailed', 'NoAvailableAddress: full');
    recorder.record(RESOURCES.pods, pod, 'Warning', 'AcquireAddressFailed', 'AddressConflict: taken');
    recorder.record(RESOURCES.pods, pod, 'Warning', 'AddressAnnotationChanged', 'edited');
    recorder.record(RESOURCES.pods, pod, 'Normal', 'AddressAnnotationChanged', 'edited');
    await recorder.idle();
    assert.deepEqual(sent.map((e) => [e.type, e.reason, e.count]), [
      ['Warning', 'AcquireAddressFailed', 1],
      ['Warning', 'AcquireAddressFailed', 1],
      ['Warning', 'AddressAnnotationChanged', 1],
      ['Normal', 'AddressAnnotationChanged', 1],
    ]);
    assert.deepEqual(sent[0]?.involvedObject, { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'ns', uid: 'u1' });
  });

  it('combines similar Events past 10 messages of one reason in 10 minutes, as client-go does', async () => {
    const { recorder, calls, pod } = setup();
    for (let i = 0; i < 12; i++) recorder.record(RESOURCES.subnets, pod, 'Warning', 'SubnetInUse', `waiting for ${100 - i} address(es)`);
    await recorder.idle();
    assert.equal(calls.filter((c) => c.verb === 'create').length, 10);
    const combined = calls.filter((c) => c.message.startsWith(COMBINED_PREFIX));
    // 9 Events of their own; the 10th to 12th combine, and waited in the queue together: one create.
    assert.deepEqual(combined.map((c) => [c.verb, c.count, c.message]), [['create', 3, `${COMBINED_PREFIX}waiting for 89 address(es)`]]);
  });

  it('rate-limits an object: 25 Events at once, then one more per 5 minutes; other objects are not limited', async () => {
    const { recorder, sent, pod, advance } = setup();
    for (let i = 0; i < 30; i++) recorder.record(RESOURCES.pods, pod, 'Warning', `R${i}`, 'x');
    recorder.record(RESOURCES.pods, { metadata: { name: 'q', namespace: 'ns' } }, 'Warning', 'R', 'x');
    await recorder.idle();
    assert.equal(sent.filter((e) => e.involvedObject.name === 'p').length, 25);
    assert.equal(sent.filter((e) => e.involvedObject.name === 'q').length, 1);
    advance(299_000);
    recorder.record(RESOURCES.pods, pod, 'Warning', 'R100', 'x');
    advance(1_000);
    recorder.record(RESOURCES.pods, pod, 'Warning', 'R101', 'x');
    recorder.record(RESOURCES.pods, pod, 'Warning', 'R102', 'x');
    await recorder.idle();
    assert.deepEqual(sent.slice(26).map((e) => e.reason), ['R101']);
  });

  it('creates the Event anew when the one it patches has expired', async () => {
    const { recorder, calls, pod } = setup({ expired: true });
    recorder.record(RESOURCES.pods, pod, 'Warning', 'R', 'x');
    await recorder.idle();
    recorder.record(RESOURCES.pods, pod, 'Warning', 'R', 'x');
    await recorder.idle();
    assert.deepEqual(calls.map((c) => [c.verb, c.name, c.count]), [['create', 'p.1', 1], ['patch', 'p.1', 2], ['create', 'p.2', 2]]);
  });

  it('bounds its tables (LRU): an object pushed out starts a new Event', () => {
    const correlator = createEventCorrelator({ cacheSize: 100 });
    const input = (name: string) => ({ involvedObject: { apiVersion: 'v1', kind: 'Pod', name, namespace: 'ns' }, type: 'Warning' as const, reason: 'R', message: 'x' });
    assert.equal(correlator.observe(input('p0'), 0)?.count, 1);
    assert.equal(correlator.observe(input('p0'), 1)?.count, 2);
    for (let i = 1; i <= 1000; i++) correlator.observe(input(`p${i}`), 2);
    assert.ok(correlator.size() <= 300, `${correlator.size()} entries for 3 tables of 100`);
    assert.equal(correlator.observe(input('p0'), 3)?.count, 1);
    assert.equal(correlator.observe(input('p1000'), 3)?.count, 2, 'a recent object keeps its series');
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
