import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLeaderElector, MICRO_TIME_PATTERN } from '../../../src/kube/leader/index.js';
import { collectPoints, createFakeClock, createTestInstruments, silentLogger } from '../client/fakes.js';
import { createFakeLeases } from './fake-leases.js';
import type { LeaderElectionConfig } from '../../../src/config/types.js';

const CONFIG: LeaderElectionConfig = { enabled: true, leaseName: 'kube-ovn-controller', namespace: 'kube-system', identity: 'me', leaseDurationMs: 30_000, renewDeadlineMs: 20_000, retryPeriodMs: 6_000 };

function setup(overrides: Partial<LeaderElectionConfig> = {}) {
  const clock = createFakeClock();
  const leases = createFakeLeases();
  const { instruments, reader } = createTestInstruments();
  const log: string[] = [];
  let leadSignal: AbortSignal | undefined;
  let notAcquired = 0;
  const elector = createLeaderElector({
    client: leases.client,
    config: { ...CONFIG, ...overrides },
    logger: silentLogger(),
    instruments,
    clock,
    random: () => 0,
    callbacks: {
      onStartedLeading: (signal) => {
        leadSignal = signal;
        log.push('started');
      },
      onStoppedLeading: ({ reason }) => log.push(`stopped:${reason}`),
      onNewLeader: (id) => log.push(`leader:${id}`),
      onNotAcquired: () => void (notAcquired += 1),
    },
  });
  const abort = new AbortController();
  let finished = false;
  const run = () => elector.run(abort.signal).then(() => void (finished = true));
  const status = async () => (await collectPoints(reader, 'leader_election_master_status')).map((p) => [p.attributes['name'], p.value]);
  return { clock, leases, elector, log, abort, run, status, leadSignal: () => leadSignal, finished: () => finished, notAcquired: () => notAcquired };
}

describe('leader election', () => {
  it('acquires an absent lease, writes six-digit MicroTimes and reports itself leader', async () => {
    const { clock, leases, elector, log, abort, run, status, notAcquired } = setup();
    const done = run();
    await clock.advance(0);
    assert.equal(elector.isLeader(), true);
    assert.deepEqual(log, ['leader:me', 'started']);
    assert.equal(notAcquired(), 0);
    const spec = leases.spec();
    assert.equal(spec?.['holderIdentity'], 'me');
    assert.equal(spec?.['leaseDurationSeconds'], 30);
    assert.equal(spec?.['leaseTransitions'], 0);
    assert.match(String(spec?.['acquireTime']), MICRO_TIME_PATTERN);
    assert.match(String(spec?.['renewTime']), MICRO_TIME_PATTERN);
    assert.deepEqual(await status(), [['kube-ovn-controller', 1]]);
    abort.abort();
    await done;
  });

  it('renews every retry period', async () => {
    const { clock, leases, abort, run } = setup();
    const done = run();
    await clock.advance(0);
    const first = String(leases.spec()?.['renewTime']);
    await clock.advance(6_000);
    await clock.advance(6_000);
    assert.equal(leases.writes.length, 3);
    assert.equal(leases.gets(), 1, 'renewals write from the lease last written, without reading it (client-go fast path)');
    assert.notEqual(String(leases.spec()?.['renewTime']), first);
    assert.equal(leases.spec()?.['acquireTime'], leases.writes[0]?.['spec'] && (leases.writes[0]['spec'] as Record<string, unknown>)['acquireTime']);
    abort.abort();
    await done;
  });

  it('stays standby while another holder renews, then takes over leaseDuration after its last observed change', async () => {
    const { clock, leases, elector, log, abort, run, status, notAcquired } = setup();
    leases.overwrite({ holderIdentity: 'other', leaseDurationSeconds: 30, renewTime: 'r1', leaseTransitions: 2 });
    const done = run();
    await clock.advance(0);
    assert.equal(elector.isLeader(), false);
    assert.equal(notAcquired(), 1, 'the first attempt is reported as soon as it settles (the manager then starts its informers)');
    assert.equal(elector.leader(), 'other');
    assert.deepEqual(await status(), [['kube-ovn-controller', 0]]);
    await clock.advance(20_000);
    leases.overwrite({ holderIdentity: 'other', leaseDurationSeconds: 30, renewTime: 'r2', leaseTransitions: 2 });
    await clock.advance(29_000);
    assert.equal(elector.isLeader(), false, 'the renewal at 20 s restarted the expiry');
    assert.equal(elector.check.run().ok, true, 'a standby is always live');
    await clock.advance(12_000);
    assert.equal(elector.isLeader(), true);
    assert.equal(leases.spec()?.['leaseTransitions'], 3);
    assert.deepEqual(log, ['leader:other', 'leader:me', 'started']);
    assert.ok(notAcquired() > 1, 'every attempt that did not get the lease');
    abort.abort();
    await done;
  });

  it('gives up leadership when renews fail past the renew deadline, without releasing', async () => {
    const { clock, leases, elector, log, run, status, leadSignal, finished } = setup();
    void run();
    await clock.advance(0);
    leases.setMode('hang');
    await clock.advance(6_000 + 19_999);
    assert.equal(elector.isLeader(), true);
    await clock.advance(1);
    assert.equal(elector.isLeader(), false);
    assert.equal(leadSignal()?.aborted, true);
    assert.deepEqual(log.slice(-1), ['stopped:lost']);
    assert.deepEqual(await status(), [['kube-ovn-controller', 0]]);
    assert.equal(leases.spec()?.['holderIdentity'], 'me');
    await clock.advance(0);
    assert.equal(finished(), true);
  });

  it('a renewal that finds the lease written by another holder reads it and steps down, never overwriting it', async () => {
    const { clock, leases, elector, log, abort, run } = setup();
    const done = run();
    await clock.advance(0);
    assert.equal(elector.isLeader(), true);
    leases.overwrite({ holderIdentity: 'other', leaseDurationSeconds: 30, renewTime: 'r9', leaseTransitions: 1 });
    const writes = leases.writes.length;
    await clock.advance(6_000);
    assert.ok(leases.gets() >= 2, 'the 409 of the optimistic renew falls back to reading the lease');
    await clock.advance(20_000);
    assert.equal(elector.isLeader(), false, 'renew deadline passed while another holder holds it');
    assert.equal(leases.spec()?.['holderIdentity'], 'other');
    assert.equal(leases.writes.length, writes, 'no write of ours landed over the other holder');
    assert.ok(log.includes('stopped:lost'));
    abort.abort();
    await done;
  });

  it('keeps leading through errors and conflicts that clear before the deadline', async () => {
    const { clock, leases, elector, abort, run } = setup();
    const done = run();
    await clock.advance(0);
    leases.setMode('error');
    await clock.advance(6_000 + 6_000);
    leases.setMode('ok');
    leases.conflictNext(1);
    await clock.advance(6_000);
    assert.equal(elector.isLeader(), true);
    await clock.advance(6_000);
    assert.equal(elector.isLeader(), true);
    abort.abort();
    await done;
  });

  it('releases the lease with an empty holder on shutdown', async () => {
    const { clock, leases, elector, log, abort, run } = setup();
    const done = run();
    await clock.advance(0);
    abort.abort();
    await done;
    assert.equal(leases.spec()?.['holderIdentity'], '');
    assert.equal(leases.spec()?.['leaseTransitions'], 0);
    assert.equal(elector.isLeader(), false);
    assert.deepEqual(log, ['leader:me', 'started', 'stopped:shutdown']);
  });

  it('fails liveness only when a leader has not renewed for leaseDuration + 20 s', async () => {
    const { clock, leases, elector, run } = setup();
    void run();
    await clock.advance(0);
    leases.setMode('wedge');
    await clock.advance(49_999);
    assert.equal(elector.isLeader(), true);
    assert.deepEqual(elector.check.run(), { ok: true });
    await clock.advance(2);
    const result = elector.check.run();
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /has not renewed lease kube-system\/kube-ovn-controller/);
  });

  it('stays live through an API outage while standby', async () => {
    const { clock, leases, elector, abort, run } = setup();
    leases.setMode('error');
    const done = run();
    await clock.advance(600_000);
    assert.equal(elector.isLeader(), false);
    assert.deepEqual(elector.check.run(), { ok: true });
    abort.abort();
    await done;
  });

  it('leads at once without touching a lease when disabled', async () => {
    const { clock, leases, elector, log, abort, run, status } = setup({ enabled: false });
    const done = run();
    await clock.advance(0);
    assert.equal(elector.isLeader(), true);
    assert.deepEqual(await status(), [['kube-ovn-controller', 1]]);
    assert.equal(leases.writes.length, 0);
    abort.abort();
    await done;
    assert.deepEqual(log, ['started', 'stopped:shutdown']);
  });
});
