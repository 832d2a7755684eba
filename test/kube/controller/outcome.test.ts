import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from '../../../src/kube/controller/index.js';
import type { Attempt, Decision } from '../../../src/kube/controller/index.js';

const failure = new Error('apiserver said 500');

const cases: Array<{ name: string; attempt: Attempt; expected: Omit<Decision, 'error'> }> = [
  { name: 'done forgets the backoff and counts success', attempt: { ok: true, outcome: { kind: 'done' } }, expected: { action: { kind: 'forget' }, result: 'success' } },
  { name: 'requeue retries with backoff', attempt: { ok: true, outcome: { kind: 'requeue' } }, expected: { action: { kind: 'rateLimited' }, result: 'requeue' } },
  {
    name: 'requeueAfter forgets the backoff and waits the given time',
    attempt: { ok: true, outcome: { kind: 'requeueAfter', ms: 30_000 } },
    expected: { action: { kind: 'forgetAndAddAfter', ms: 30_000 }, result: 'requeue_after' },
  },
  { name: 'requeueAfter 0 is allowed', attempt: { ok: true, outcome: { kind: 'requeueAfter', ms: 0 } }, expected: { action: { kind: 'forgetAndAddAfter', ms: 0 }, result: 'requeue_after' } },
  {
    name: 'a requeueAfter past the Node timer limit (a deletion deadline from a huge terminationGracePeriodSeconds) is clamped, issue 10',
    attempt: { ok: true, outcome: { kind: 'requeueAfter', ms: 9_223_372_036_854 * 1000 } },
    expected: { action: { kind: 'forgetAndAddAfter', ms: 2_147_483_647 }, result: 'requeue_after' },
  },
  { name: 'a thrown error retries with backoff and counts an error', attempt: { ok: false, error: failure }, expected: { action: { kind: 'rateLimited' }, result: 'error' } },
  { name: 'requeueAfter NaN is a bug, retried as an error', attempt: { ok: true, outcome: { kind: 'requeueAfter', ms: Number.NaN } }, expected: { action: { kind: 'rateLimited' }, result: 'error' } },
  { name: 'a negative requeueAfter is a bug, retried as an error', attempt: { ok: true, outcome: { kind: 'requeueAfter', ms: -1 } }, expected: { action: { kind: 'rateLimited' }, result: 'error' } },
  { name: 'an unknown outcome is a bug, retried as an error', attempt: { ok: true, outcome: { kind: 'later' } as never }, expected: { action: { kind: 'rateLimited' }, result: 'error' } },
  { name: 'an undefined outcome is a bug, retried as an error', attempt: { ok: true, outcome: undefined as never }, expected: { action: { kind: 'rateLimited' }, result: 'error' } },
];

describe('decide maps an attempt to a queue action and a result label', () => {
  for (const { name, attempt, expected } of cases) {
    it(name, () => {
      const { error, ...rest } = decide(attempt);
      assert.deepEqual(rest, expected);
      assert.equal(error !== undefined, expected.result === 'error', 'an error is carried exactly when the result is error');
    });
  }

  it('keeps the thrown error for the log', () => {
    assert.equal(decide({ ok: false, error: failure }).error, failure);
  });

  it('names the bad value of an invalid outcome', () => {
    const { error } = decide({ ok: true, outcome: { kind: 'requeueAfter', ms: -5 } });
    assert.match(String(error), /expected ms to be a finite number >= 0, got -5/);
  });
});
