// Seeded exploration: fast-check generates step sequences, runs each against a fresh cluster
// and, on a failure, shrinks it to a short sequence that still fails and can be replayed.
import fc from 'fast-check';
import { emptyCounts } from './invariants.js';
import type { Counts } from './invariants.js';
import { sequenceArbitrary } from './model.js';
import type { Step } from './model.js';
import { addCounts, runSequence } from './run.js';
import type { RunOptions } from './run.js';

export interface ExploreOptions extends RunOptions {
  readonly runs: number;
  readonly seed: number;
  /** Quiescent points per sequence, at most. */
  readonly steps: number;
  /** Commands between two quiescent points, at most. */
  readonly perStep?: number;
  /** Bound on the whole exploration including shrinking, ms; the best counterexample so far is reported. */
  readonly timeLimitMs?: number;
  /** Replays one fast-check path (from a failure report) instead of exploring. */
  readonly path?: string;
}

export interface ExploreResult {
  readonly ok: boolean;
  readonly seed: number;
  readonly runs: number;
  readonly counts: Counts;
  readonly quiescentPoints: number;
  readonly commands: number;
  readonly replicaExits: number;
  readonly ms: number;
  readonly failure?: { readonly steps: readonly Step[]; readonly message: string; readonly path: string | undefined; readonly shrinks: number };
}

export async function explore(options: ExploreOptions): Promise<ExploreResult> {
  const started = Date.now();
  const counts = emptyCounts();
  let quiescentPoints = 0;
  let commands = 0;
  let replicaExits = 0;
  let runs = 0;
  const property = fc.asyncProperty(sequenceArbitrary(options.steps, options.perStep ?? 4), async (steps) => {
    runs += 1;
    options.log?.(`-- run ${runs}: ${steps.length} step(s), ${steps.flat().length} command(s)`);
    let stats;
    try {
      stats = await runSequence(steps, options);
    } catch (err) {
      options.log?.(`   failed: ${(err instanceof Error ? err.message : String(err)).split('\n').slice(0, 3).join(' | ')}`);
      throw err;
    }
    addCounts(counts, stats.counts);
    quiescentPoints += stats.quiescentPoints;
    commands += stats.commands;
    replicaExits += stats.replicaExits;
  });
  const details = await fc.check(property, {
    numRuns: options.runs,
    seed: options.seed,
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.timeLimitMs === undefined ? {} : { interruptAfterTimeLimit: options.timeLimitMs }),
  });
  const base = { seed: options.seed, runs, counts, quiescentPoints, commands, replicaExits, ms: Date.now() - started };
  if (!details.failed || details.counterexample === null) return { ...base, ok: !details.failed };
  const [steps] = details.counterexample;
  const error = details.errorInstance;
  return {
    ...base,
    ok: false,
    failure: { steps, message: error instanceof Error ? error.message : String(error), path: details.counterexamplePath ?? undefined, shrinks: details.numShrinks },
  };
}

/** What a person needs to replay a failure. */
export function failureReport(result: ExploreResult, replayFile: string | undefined): string {
  const f = result.failure;
  if (f === undefined) return '';
  return [
    `CHAOS FAILURE seed=${result.seed}${f.path === undefined ? '' : ` path=${f.path}`} (shrunk ${f.shrinks} time(s))`,
    `replay: npm run chaos -- --seed ${result.seed}${f.path === undefined ? '' : ` --path ${f.path}`}` + (replayFile === undefined ? '' : `   or   npm run chaos -- --replay-file ${replayFile}`),
    `shrunk sequence: ${JSON.stringify(f.steps)}`,
    f.message,
  ].join('\n');
}
