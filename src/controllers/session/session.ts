/**
 * One leadership term: wait for the caches, rebuild the IPAM, then run every reconciler's
 * workers until the term ends. Nothing is allocated before the rebuild finished.
 */
import { createIpam } from '../../ipam/index.js';
import type { Controller } from '../../kube/index.js';
import { createPhase } from '../../kube/controller/index.js';
import type { ProgressSource } from '../../kube/controller/index.js';
import type { ControllerContext, TermState } from '../context.js';
import { createIpWriteLog } from '../ip/write-log.js';
import { createPodBook } from '../pod/book.js';
import type { ReconcilerSpec } from '../spec.js';
import { markLists, rebuildTerm } from './rebuild.js';
import { createWorkers } from './workers.js';
import type { WorkerDeps } from './workers.js';

export interface Session {
  /** The term's context, for the watches that route events into it. */
  readonly ctx: ControllerContext;
  /** True once the IPAM is rebuilt (readiness `ipam-init`). */
  ready(): boolean;
  /** True while the workers run: events are routed to the queues. */
  routing(): boolean;
  /** Adds `key` to reconciler `name`'s queue (dropped before the workers run). */
  add(name: string, key: string): void;
  controllers(): readonly Controller[];
  /**
   * What liveness `reconcile-progress` watches: the rebuild (from the term's start until the
   * IPAM is rebuilt, so a leader that cannot finish it within the bound is restarted instead of
   * holding the Lease; Kube-OVN #7497), then the controllers.
   */
  progress(): readonly ProgressSource[];
  /**
   * Rebuilds, then runs the controllers until `signal` aborts and they drained. Never rejects;
   * resolves before `signal` aborts only when the term failed (the leader elector then ends the
   * term: lease released, process exits 1).
   */
  run(signal: AbortSignal): Promise<void>;
}

export type SessionOptions = Omit<ControllerContext, 'term' | 'enqueue'> & Pick<WorkerDeps, 'addStateGauge'> & {
  /** Called once the term is ready (IPAM rebuilt, networks prepared); the workers start when it settled (a rejection is ignored). */
  readonly onReady?: () => void | Promise<void>;
};

export function createSession(specs: readonly ReconcilerSpec[], options: SessionOptions): Session {
  const { caches, logger } = options;
  const workers = createWorkers(options);
  const term: TermState = { ipam: createIpam(), pods: createPodBook(workers.enqueue.pod), ipWrites: createIpWriteLog() };
  const ctx: ControllerContext = { ...options, term, enqueue: workers.enqueue };
  let ready = false;
  const rebuild = createPhase('ipam-rebuild');

  async function run(signal: AbortSignal): Promise<void> {
    // Before the first await: a list begun from here on is a snapshot taken inside the term.
    const marks = markLists(caches);
    rebuild.start(options.clock.now());
    try {
      const synced = await Promise.all(Object.values(caches).map((i: { waitForSync(s: AbortSignal): Promise<boolean> }) => i.waitForSync(signal)));
      if (!synced.every(Boolean) || !(await rebuildTerm(ctx, marks, signal))) return;
      rebuild.finish(options.clock.now());
      // The network's start-up reconcile (OVN northbound) comes after the rebuild's liveness
      // bound: liveness never depends on OVN.
      for (const spec of specs) if (spec.prepare !== undefined && !(await spec.prepare(ctx, signal))) return;
      ready = true;
      // Awaited so the Ready publish goes out before 11k queued reconciles take the event loop
      // (it was seen 120-140 ms after the workers started); never a reason to end the term.
      await Promise.resolve()
        .then(options.onReady)
        .catch((err: unknown) => logger.warn({ err }, 'publishing readiness failed; the next publish tick carries it'));
      const running = workers.run(specs, ctx, signal);
      for (const spec of specs) if (spec.onTermStart !== undefined) void spec.onTermStart(ctx, signal);
      await running;
    } catch (err) {
      logger.error({ err }, 'leadership session failed');
    }
  }

  return { ctx, ready: () => ready, routing: workers.started, add: workers.add, controllers: workers.controllers, progress: () => [rebuild, ...workers.controllers()], run };
}

/** The terms of one manager: at most one session at a time, begun and ended by leader election. */
export interface Terms {
  /** The current term's session; undefined on a standby and after `run` ended. */
  current(): Session | undefined;
  /**
   * A new term: rebuild, then the workers, until `leadership` aborts or `end` is called. Returns
   * the term's work for the leader elector: it settles before `leadership` aborts only when the
   * session stopped on its own (failed), which ends the term as failed (lease released, exit 1);
   * our own stop (`end`/`stop`, which drain before the release) is not a failure.
   */
  begin(leadership: AbortSignal): Promise<void>;
  /** Ends the current term (its workers drain in the background). */
  end(): void;
  /** Ends the current term and waits until its workers drained. */
  stop(): Promise<void>;
  /** Forgets the last session (the manager stopped). */
  clear(): void;
}

export function createTerms(specs: readonly ReconcilerSpec[], options: SessionOptions): Terms {
  let session: Session | undefined;
  let done: Promise<void> = Promise.resolve();
  let ctl: AbortController | undefined;
  return {
    current: () => session,
    begin(leadership) {
      const mine = new AbortController();
      ctl = mine;
      session = createSession(specs, options);
      const run = session.run(AbortSignal.any([leadership, mine.signal]));
      done = run;
      return run.then(() =>
        mine.signal.aborted || leadership.aborted ? untilAborted(leadership) : Promise.reject(new Error('the leadership session ended on its own (see "leadership session failed")')),
      );
    },
    end: () => ctl?.abort(),
    async stop() {
      ctl?.abort();
      await done;
    },
    clear: () => void (session = undefined),
  };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}
