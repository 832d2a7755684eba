/**
 * What one reconciler declares about itself, so the manager wires every reconciler the same
 * way (kube-rs `Controller::new(..).watches(..).run(reconcile, ..)`, controller-runtime's builder):
 * its name, which caches it watches and how their events become its keys, what it reconciles
 * after a rebuild, its reconcile, and the metrics it reports.
 */
import type { Reconcile } from '../kube/index.js';
import type { AddStateGauge, Instruments } from '../telemetry/instruments.js';
import type { Caches, ControllerContext, TermState } from './context.js';

export type CacheName = keyof Caches;
export type CachedObject<K extends CacheName> = Caches[K] extends { get(key: string): infer T | undefined } ? T : never;

/**
 * How events of one cache become keys of the reconciler's queue. Each returns the keys to add
 * (none to skip the event); it runs only while this replica leads and the term's workers run,
 * and may use the term's operations (skip our own echo, wake parked pods).
 */
export interface Watch<K extends CacheName> {
  readonly cache: K;
  onAdd?(obj: CachedObject<K>, ctx: ControllerContext): readonly string[];
  onUpdate?(old: CachedObject<K>, obj: CachedObject<K>, ctx: ControllerContext): readonly string[];
  onDelete?(obj: CachedObject<K>, ctx: ControllerContext): readonly string[];
}

/** A watch of any cache (a distributed union, so a spec can list watches of different caches). */
export type AnyWatch = { [K in CacheName]: Watch<K> }[CacheName];

export interface ReconcilerSpec {
  /** Queue name, `controller` label of the controller-runtime metrics and log field. */
  readonly name: string;
  readonly watches: readonly AnyWatch[];
  /**
   * The keys to reconcile once the IPAM is rebuilt: everything the caches or the rebuilt IPAM
   * know of (events of the rebuild are not routed; these keys cover them, DESIGN §7a).
   */
  initialKeys(caches: Caches, term: TermState): Iterable<string>;
  /** The reconcile of one term. */
  reconciler(ctx: ControllerContext): Reconcile;
  /** Instruments its reconcile records into (besides the controller-runtime/workqueue ones every reconciler has). */
  readonly records: readonly (keyof Instruments)[];
  /** Registers its state gauges over the current term (none on a standby); returns the remover. */
  gauges?(addStateGauge: AddStateGauge, current: () => TermState | undefined): () => void;
  /**
   * Start-up work of each term after the IPAM rebuild and before Ready and the workers (e.g.
   * restoring node addresses, the northbound reconcile), in registry order. Resolves false when
   * the term ended first; must not reject.
   */
  prepare?(ctx: ControllerContext, signal: AbortSignal): Promise<boolean>;
  /** Background work of each term once its workers run (e.g. creating the default subnet); must not reject. */
  onTermStart?(ctx: ControllerContext, signal: AbortSignal): Promise<void>;
}

/** Identity helper that keeps a watch's object type tied to its cache. */
export function watch<K extends CacheName>(w: Watch<K>): AnyWatch {
  return w as unknown as AnyWatch;
}
