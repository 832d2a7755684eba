import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/log/index.js';
import type { OvsdbClient } from '../../src/ovn/client.js';
import { createBatcher } from '../../src/ovn/nb-batcher.js';
import type { Build } from '../../src/ovn/nb-batcher.js';
import type { Operation, TransactOutcome } from '../../src/ovn/protocol.js';
import { cacheWith } from './fixtures.js';

/** A client double that records transactions and answers from a script (then `ok`). */
function setup(script: ((ops: readonly Operation[]) => TransactOutcome)[] = []) {
  const sent: (readonly Operation[])[] = [];
  const client = {
    cache: cacheWith({}),
    schema: undefined,
    status: () => ({ connected: true, synced: true }),
    whenSynced: async () => true,
    transact: async (ops: readonly Operation[]) => {
      sent.push(ops);
      const next = script.shift();
      return next === undefined ? { ok: true, results: ops.map(() => ({})) } : next(ops);
    },
    onUpdate: () => () => undefined,
    start: () => undefined,
    close: async () => undefined,
  } satisfies OvsdbClient;
  const batcher = createBatcher({ client, logger: createLogger({ level: 'silent' }), timeoutMs: 10_000, maxBatch: 50 });
  const comment = (text: string): Build => (tx) => void tx.push({ op: 'comment', comment: text });
  return { batcher, sent, comment };
}

describe('NB batcher', () => {
  it('coalesces concurrent requests into few transactions', async () => {
    const { batcher, sent, comment } = setup();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => batcher.submit(`k${i}`, comment(`c${i}`))));
    assert.equal(results.every((r) => r.ok && r.changed), true);
    assert.ok(sent.length <= 5, `${sent.length} transactions`);
    assert.equal(sent.flat().length, 200);
  });

  it('gives a key queued twice the newer build, and both callers its result', async () => {
    const { batcher, sent, comment } = setup();
    const [a, b] = await Promise.all([batcher.submit('k', comment('old')), batcher.submit('k', comment('new'))]);
    assert.deepEqual(a, b);
    assert.deepEqual(sent.flat(), [{ op: 'comment', comment: 'new' }]);
  });

  it('resends after a dropped connection, rebuilding from the cache', async () => {
    const { batcher, sent, comment } = setup([() => ({ ok: false, reason: 'unavailable', error: 'closed', details: 'peer went away' })]);
    const r = await batcher.submit('k', comment('x'));
    assert.equal(r.ok, true);
    assert.equal(sent.length, 2);
  });

  it('fails only the request whose operation failed; the others of its batch still commit', async () => {
    const rejectB = (ops: readonly Operation[]): TransactOutcome => {
      const index = ops.findIndex((o) => o.op === 'comment' && o.comment === 'b');
      return index < 0 ? { ok: true, results: [] } : { ok: false, reason: 'op-error', index, error: 'constraint violation', details: 'bad' };
    };
    const { batcher, sent, comment } = setup(Array.from({ length: 10 }, () => rejectB));
    const results = await Promise.all(['a', 'b', 'c'].map((k) => batcher.submit(k, comment(k))));
    assert.deepEqual(results.map((r) => r.ok), [true, false, true]);
    assert.deepEqual(results[1], { ok: false, reason: 'Rejected', message: 'constraint violation: bad' });
    assert.equal(sent.filter((ops) => ops.some((o) => o.op === 'comment' && o.comment !== 'b')).length, 2, 'a and c: their batch, then once more without b');
  });

  it('reports a build problem without sending anything', async () => {
    const { batcher, sent } = setup();
    const r = await batcher.submit('k', () => ({ problem: 'NoSwitch', detail: 'logical switch blue does not exist yet' }));
    assert.deepEqual(r, { ok: false, reason: 'NoSwitch', message: 'logical switch blue does not exist yet' });
    assert.equal(sent.length, 0);
  });

  it('answers a build that throws as Rejected, and neither its key nor the others of its batch stay stuck', async () => {
    const { batcher, sent, comment } = setup();
    const boom: Build = () => {
      throw new Error('cache row without a name');
    };
    const results = await Promise.all([batcher.submit('a', comment('a')), batcher.submit('bad', boom), batcher.submit('c', comment('c'))]);
    assert.deepEqual(results.map((r) => r.ok), [true, false, true]);
    assert.deepEqual(results[1], { ok: false, reason: 'Rejected', message: 'building the change failed: cache row without a name' });
    assert.deepEqual(sent.flat().map((o) => (o.op === 'comment' ? o.comment : o.op)).sort(), ['a', 'c'], 'nothing of the thrown build was sent');
    assert.deepEqual(await batcher.submit('bad', comment('again')), { ok: true, changed: true, operations: [{ op: 'comment', comment: 'again' }] }, 'the key is free again');
  });

  it('sends a batch that failed at commit with no culprit again as one batch before splitting it', async () => {
    // What a Port_Group made by a concurrent transaction gives: a commit-time index violation.
    const clash = (): TransactOutcome => ({ ok: false, reason: 'commit-error', error: 'constraint violation', details: 'duplicate name' });
    const { batcher, sent, comment } = setup([clash]);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => batcher.submit(`k${i}`, comment(`c${i}`))));
    assert.equal(results.every((r) => r.ok), true);
    assert.equal(sent.length, 2, `${sent.length} transactions: the failed batch and its rebuild`);
  });
});

