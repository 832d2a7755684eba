// Issue 10 (leader safety): expiry from the record's leaseDurationSeconds, and a term whose work
// ends on an error while the lease is held is reported (`failed`), released, and fails liveness.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLeaderElector, decideLease, observe } from '../../../src/kube/leader/index.js';
import type { LeaderOutcome } from '../../../src/kube/leader/index.js';
import { createFakeClock, silentLogger } from '../client/fakes.js';
import { createLogger } from '../../../src/log/index.js';
import { createFakeLeases } from './fake-leases.js';
import type { LeaderElectionConfig } from '../../../src/config/types.js';

const CONFIG: LeaderElectionConfig = { enabled: true, leaseName: 'kube-ovn-controller', namespace: 'kube-system', identity: 'me', leaseDurationMs: 30_000, renewDeadlineMs: 20_000, retryPeriodMs: 6_000 };

function setup(work: (signal: AbortSignal) => void | Promise<void>, overrides: Partial<LeaderElectionConfig> = {}, logger = silentLogger()) {
  const clock = createFakeClock();
  const leases = createFakeLeases();
  const log: string[] = [];
  const elector = createLeaderElector({
    client: leases.client,
    config: { ...CONFIG, ...overrides },
    logger,
    clock,
    random: () => 0,
    callbacks: {
      onStartedLeading: (signal) => {
        log.push('started');
        return work(signal);
      },
      onStoppedLeading: ({ reason, error }) => log.push(`stopped:${reason}${error instanceof Error ? `:${error.message}` : ''}`),
    },
  });
  const abort = new AbortController();
  let outcome: LeaderOutcome | undefined;
  const done = elector.run(abort.signal).then((o) => void (outcome = o));
  return { clock, leases, elector, log, abort, done, outcome: () => outcome };
}

/** Term work that runs until its signal aborts, or fails when `failNow` is called. */
function controllableWork() {
  let failNow: (err: Error) => void = () => undefined;
  const work = (signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      signal.addEventListener('abort', () => resolve(), { once: true });
      failNow = reject;
    });
  return { work, fail: (err: Error) => failNow(err) };
}

describe('leader term safety', () => {
  it('waits out the holder record\'s leaseDurationSeconds, not its own flag (client-go isLeaseValid)', () => {
    const short = observe(undefined, { holderIdentity: 'other', leaseDurationSeconds: 10, renewTime: 'r' }, 0);
    assert.equal(decideLease(short, 'me', 30_000, 10_001).kind, 'write', 'a 10 s record expires after 10 s although ours is 30 s');
    const long = observe(undefined, { holderIdentity: 'other', leaseDurationSeconds: 60, renewTime: 'r' }, 0);
    assert.deepEqual(decideLease(long, 'me', 30_000, 45_000), { kind: 'held', holder: 'other', expiresAt: 60_000 });
    assert.equal(decideLease(long, 'me', 30_000, 60_001).kind, 'write');
  });

  it('stays standby through a holder whose lease is longer than its own flag', async () => {
    const { clock, leases, elector, abort, done } = setup(() => undefined);
    leases.overwrite({ holderIdentity: 'other', leaseDurationSeconds: 90, renewTime: 'r1' });
    await clock.advance(0);
    await clock.advance(60_000);
    assert.equal(elector.isLeader(), false, 'our 30 s flag would have taken over at 30 s');
    await clock.advance(45_000);
    assert.equal(elector.isLeader(), true);
    abort.abort();
    await done;
  });

  it('ends a term whose work rejects while leading: releases the lease, reports failed, fails liveness', async () => {
    const { work, fail } = controllableWork();
    const { clock, leases, elector, log, done, outcome } = setup(work);
    await clock.advance(0);
    assert.equal(elector.isLeader(), true);
    fail(new Error('list ips kept failing'));
    await clock.advance(0);
    await done;
    assert.equal(outcome()?.reason, 'failed');
    assert.match(String((outcome()?.error as Error | undefined)?.message), /list ips kept failing/);
    assert.deepEqual(log, ['started', 'stopped:failed:list ips kept failing']);
    assert.equal(leases.spec()?.['holderIdentity'], '', 'released so a standby takes over at once');
    assert.equal(elector.isLeader(), false);
    const live = elector.check.run();
    assert.equal(live.ok, false);
    assert.match(live.ok ? '' : live.reason, /leader term failed while holding lease kube-system\/kube-ovn-controller: list ips kept failing/);
  });

  it('treats term work that resolves while the lease is still held as a failed term', async () => {
    const { clock, leases, done, outcome, log } = setup(async () => undefined);
    await clock.advance(0);
    await done;
    assert.equal(outcome()?.reason, 'failed');
    assert.match(log.at(-1) ?? '', /^stopped:failed:the leader term ended while this replica still held the lease/);
    assert.equal(leases.spec()?.['holderIdentity'], '');
  });

  it('reports a throwing onStartedLeading as a failed term', async () => {
    const { clock, done, outcome } = setup(() => {
      throw new Error('boom');
    });
    await clock.advance(0);
    await done;
    assert.equal(outcome()?.reason, 'failed');
  });

  it('ends cleanly with shutdown when the work finishes only after the signal aborted, and warns of nothing', async () => {
    const { work } = controllableWork();
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
    const { clock, elector, abort, done, outcome } = setup(work, {}, logger);
    await clock.advance(0);
    abort.abort();
    await done;
    await clock.advance(0);
    assert.deepEqual(outcome(), { reason: 'shutdown' });
    assert.deepEqual(elector.check.run(), { ok: true });
    assert.deepEqual(lines.filter((l) => l['level'] === 'warn' || l['level'] === 'error').map((l) => l['msg']), [], 'a clean shutdown logs no warning');
  });

  it('reports a failed term with leader election disabled too', async () => {
    const { work, fail } = controllableWork();
    const { clock, leases, done, outcome } = setup(work, { enabled: false });
    await clock.advance(0);
    fail(new Error('rebuild failed'));
    await clock.advance(0);
    await done;
    assert.equal(outcome()?.reason, 'failed');
    assert.equal(leases.writes.length, 0);
  });

  it('returns never-led when stopped before acquiring', async () => {
    const { clock, leases, abort, done, outcome } = setup(() => undefined);
    leases.overwrite({ holderIdentity: 'other', leaseDurationSeconds: 30, renewTime: 'r1' });
    await clock.advance(0);
    abort.abort();
    await clock.advance(0);
    await done;
    assert.deepEqual(outcome(), { reason: 'never-led' });
  });
});
