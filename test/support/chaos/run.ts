// Runs one chaos sequence against a fresh cluster and checks the invariants at every poll
// (`always`) and at every quiescent point (`quiescent`).
import { ChaosCluster } from './cluster.js';
import { checkSnapshot, emptyCounts, INVARIANTS } from './invariants.js';
import type { Counts, History, Violation } from './invariants.js';
import { describeCommand } from './model.js';
import type { Step } from './model.js';

export interface RunOptions {
  /** How long one quiescent point may take to settle, ms. */
  readonly settleTimeoutMs?: number;
  /** Poll period while settling, ms. */
  readonly pollMs?: number;
  /** Progress lines (commands and their notes). */
  readonly log?: (line: string) => void;
}

export interface RunStats {
  readonly counts: Counts;
  readonly quiescentPoints: number;
  readonly commands: number;
  readonly replicaExits: number;
  readonly ms: number;
}

/** A breached invariant, with what led to it. */
export class ChaosFailure extends Error {
  constructor(
    readonly violations: readonly Violation[],
    readonly trace: readonly string[],
    readonly diagnostics: readonly string[],
  ) {
    super(
      [
        `${violations.length} invariant violation(s):`,
        ...violations.slice(0, 12).map((v) => `  [${v.invariant}] ${v.message}`),
        'trace:',
        ...trace.map((t) => `  ${t}`),
        'controller warnings/errors (last lines):',
        ...diagnostics.map((d) => `  ${d}`),
      ].join('\n'),
    );
  }
}

/** Adds `from` into `into`. */
export function addCounts(into: Counts, from: Counts): void {
  for (const k of Object.keys(into) as (keyof Counts)[]) {
    into[k].checked += from[k].checked;
    into[k].violated += from[k].violated;
  }
}

export async function runSequence(steps: readonly Step[], options: RunOptions = {}): Promise<RunStats> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const counts = emptyCounts();
  const history: History = new Map();
  const trace: string[] = [];
  let exits = 0;
  const cluster = await ChaosCluster.start();
  try {
    const settle = async (label: string): Promise<void> => {
      const deadline = Date.now() + (options.settleTimeoutMs ?? 60_000);
      let calm = 0;
      let last: Violation[] = [];
      for (;;) {
        const exited = await cluster.reviveExited();
        exits += exited.length;
        for (const e of exited) trace.push(`  (replica ${e}; replaced)`);
        const snapshot = await cluster.snapshot();
        const scratch = emptyCounts();
        const input = { snapshot, history, everServed: cluster.everServed, staticPods: cluster.staticPods, quiescent: true, counts: scratch };
        const violations = checkSnapshot(input);
        const always = violations.filter((v) => INVARIANTS[v.invariant] === 'always');
        // The always-invariants count on every poll; the quiescent ones once, when they hold.
        for (const k of Object.keys(INVARIANTS) as (keyof Counts)[]) if (INVARIANTS[k] === 'always') addOne(counts, scratch, k);
        if (always.length > 0) throw new ChaosFailure(always, [...trace, `at ${label}`], cluster.diagnostics());
        if (violations.length === 0 && snapshot.metrics !== undefined) calm += 1;
        else calm = 0;
        last = violations;
        if (calm >= 2) {
          for (const k of Object.keys(INVARIANTS) as (keyof Counts)[]) if (INVARIANTS[k] === 'quiescent') addOne(counts, scratch, k);
          return;
        }
        if (Date.now() > deadline) {
          const why = last.length > 0 ? last : [{ invariant: 'leaderGaugeCountsPods' as const, message: 'no leader served /metrics' }];
          throw new ChaosFailure(why, [...trace, `at ${label}: not quiescent within ${options.settleTimeoutMs ?? 60_000}ms`], cluster.diagnostics());
        }
        await new Promise((r) => setTimeout(r, options.pollMs ?? 400));
      }
    };
    await settle('start');
    let commands = 0;
    for (const [i, step] of steps.entries()) {
      for (const command of step) {
        const note = await cluster.apply(command);
        commands += 1;
        const line = `step ${i + 1}: ${describeCommand(command)}${note === '' ? '' : ` -> ${note}`}`;
        trace.push(line);
        log(line);
      }
      await settle(`quiescent point ${i + 1}`);
    }
    return { counts, quiescentPoints: steps.length + 1, commands, replicaExits: exits, ms: Date.now() - started };
  } finally {
    await cluster.close();
  }
}

function addOne(into: Counts, from: Counts, k: keyof Counts): void {
  into[k].checked += from[k].checked;
  into[k].violated += from[k].violated;
}
