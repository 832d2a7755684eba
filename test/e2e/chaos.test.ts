// Issue 10's seeded randomized chaos test, CI size: a few short sequences of pod, annotation,
// Subnet, namespace-binding, leader-kill and API-fault commands against the local API server
// and two BUILT replicas, with the DESIGN §7/§7a invariants checked at every quiescent point.
// A failure prints the seed and the shrunk sequence (see test/support/chaos/explore.ts).
// Longer local runs: `npm run chaos -- --runs N --seed S` (records bench/RESULTS.md).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explore, failureReport } from '../support/chaos/explore.js';

const SEED = process.env['CHAOS_SEED'] === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env['CHAOS_SEED']);

describe('chaos: no user edit, operator action, failover or API fault gives two live pods one address', () => {
  test(`the invariants hold at every quiescent point (seed ${SEED})`, { timeout: 6 * 60_000 }, async () => {
    const result = await explore({ runs: 2, seed: SEED, steps: 3, perStep: 3, timeLimitMs: 4 * 60_000, settleTimeoutMs: 45_000 });
    process.stdout.write(`chaos: seed ${SEED}, ${result.runs} run(s), ${result.commands} commands, ${result.quiescentPoints} quiescent points, ${Math.round(result.ms / 1000)} s\n`);
    assert.equal(result.ok, true, failureReport(result, undefined));
    assert.ok(result.quiescentPoints >= result.runs, 'every run reached its quiescent points');
    assert.ok(result.counts.uniqueByIpObject.checked > 0 && result.counts.closedMetricLabels.checked > 0, 'the invariants were evaluated');
  });
});
