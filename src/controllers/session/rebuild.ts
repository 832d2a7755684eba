/**
 * The term's first step: rebuild the IPAM from quorum snapshots taken inside the term. A cache
 * filled before the term may lag behind the previous leader's last writes, so its kind is listed
 * again; a cache whose list was requested after the term began (a first start: the manager lets
 * the informers list once the first lease attempt settled) already is such a snapshot, kept
 * current by its watch, and is read as it is. Conflicts are reported as Events and log lines.
 *
 * Memory: a new leader already holds the slim caches, so the lists must not hold a second,
 * full copy of every pod (at 50k realistic pods that was over 1 GB). Each page is reduced as it
 * arrives: an object the cache holds at the same resourceVersion (same version, same content)
 * is replaced by the cached one, any other by its slim form. The rebuild then costs one page of
 * full objects per list plus the slim objects the cache had not seen yet.
 */
import { listPages, objectKey, RESOURCES } from '../../kube/index.js';
import type { Informer, KubeObject, ListOptions, Resource } from '../../kube/index.js';
import { subnetLabel } from '../../telemetry/labels.js';
import { EVENT_REASONS } from '../constants.js';
import type { ControllerContext, IpObject } from '../context.js';
import type { Pod } from '../pod/rules.js';
import type { SubnetObject } from '../subnet/rules.js';
import { rebuildIpam } from './rebuild-ipam.js';
import { retryUntilAborted } from './retry.js';

/** Page size of the rebuild lists: client-go's default, so one page of full pods is a few MB. */
export const REBUILD_PAGE = 500;

type RebuildContext = Pick<ControllerContext, 'client' | 'clock' | 'logger' | 'events' | 'term' | 'instruments' | 'caches'>;

/** One listed kind and its informer cache: objects are shared from it, or slimmed as it slims them. */
export interface Listed<T extends KubeObject> {
  readonly resource: Resource;
  /** Looked up by the store's own key (`namespace/name`, or `name`). */
  readonly cache: Pick<Informer<T>, 'get' | 'transform' | 'fields'>;
}

/** How many lists each cache the rebuild reads had begun when the term began. */
export interface TermMarks {
  readonly subnets: number;
  readonly ips: number;
  readonly pods: number;
}

/** Each cache's `listsBegun()` now: taken when the term begins, before anything of it can start a list. */
export function markLists(caches: Pick<ControllerContext['caches'], keyof TermMarks>): TermMarks {
  return { subnets: caches.subnets.listsBegun(), ips: caches.ips.listsBegun(), pods: caches.pods.listsBegun() };
}

/** The cached object when it is the listed version, else the listed object in the cache's slim form. */
function reduce<T extends KubeObject>(kind: Listed<T>, obj: T): T {
  const rv = obj.metadata.resourceVersion;
  const cached = rv === undefined || rv === '' ? undefined : kind.cache.get(objectKey(obj));
  return cached !== undefined && cached.metadata.resourceVersion === rv ? cached : kind.cache.transform(obj);
}

/** A quorum list (no resourceVersion) in pages; continue tokens keep one consistent snapshot. */
export async function listReduced<T extends KubeObject>(ctx: Pick<RebuildContext, 'client'>, kind: Listed<T>, signal: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  const pages = listPages((o: ListOptions) => ctx.client.list<T>(kind.resource, o, (obj) => reduce(kind, obj)), { limit: REBUILD_PAGE, fields: kind.cache.fields, signal });
  for await (const page of pages) {
    for (const obj of page.items) items.push(obj);
  }
  return items;
}

/**
 * True when `cache` was replaced by a list begun after `mark` (the term's start) and is still
 * current (not invalidated by a 410 since: it would have missed events until its relist).
 */
export function listedInTerm(cache: Pick<Informer, 'replacedByList' | 'hasSynced'>, mark: number): boolean {
  return cache.replacedByList() > mark && cache.hasSynced();
}

/** The three kinds' objects, and which of them came from a cache listed inside the term. */
interface RebuildLists {
  readonly subnets: SubnetObject[];
  readonly ips: IpObject[];
  readonly pods: Pod[];
  readonly fromCache: readonly (keyof TermMarks)[];
}

/**
 * Each kind from its cache when listed inside the term, else a quorum list (in parallel, one page
 * of full objects at a time), retried until it succeeds; undefined when the term ended first.
 * Each kind's list is a snapshot of its own, so a failed one is retried alone: a pod list whose
 * continue token expired after minutes of pages does not start the finished lists over.
 */
export async function listForRebuild(ctx: Pick<RebuildContext, 'client' | 'clock' | 'logger' | 'caches'>, marks: TermMarks, signal: AbortSignal): Promise<RebuildLists | undefined> {
  const { caches } = ctx;
  const fromCache = (['subnets', 'ips', 'pods'] as const).filter((kind) => listedInTerm(caches[kind], marks[kind]));
  const fresh = (kind: keyof TermMarks): boolean => fromCache.includes(kind);
  // Each call names its resource (test/deploy/rbac.test.ts derives the RBAC rules from them).
  const retried = <T>(list: () => Promise<T[]>): Promise<T[] | undefined> => retryUntilAborted('IPAM rebuild list', list, signal, ctx);
  const [subnets, ips, pods] = await Promise.all([
    fresh('subnets') ? caches.subnets.list() : retried(() => listReduced<SubnetObject>(ctx, { resource: RESOURCES.subnets, cache: caches.subnets }, signal)),
    fresh('ips') ? caches.ips.list() : retried(() => listReduced<IpObject>(ctx, { resource: RESOURCES.ips, cache: caches.ips }, signal)),
    fresh('pods') ? caches.pods.list() : retried(() => listReduced<Pod>(ctx, { resource: RESOURCES.pods, cache: caches.pods }, signal)),
  ]);
  if (subnets === undefined || ips === undefined || pods === undefined) return undefined;
  return { subnets, ips, pods, fromCache };
}

/**
 * Rebuilds `ctx.term.ipam` (the caches synced), retrying the lists until they succeed; false
 * when the term ended first. `marks`: `markLists` at the term's start.
 */
export async function rebuildTerm(ctx: RebuildContext, marks: TermMarks, signal: AbortSignal): Promise<boolean> {
  const { clock, logger } = ctx;
  const started = clock.now();
  const lists = await listForRebuild(ctx, marks, signal);
  if (lists === undefined) return false;
  const { subnets, ips, pods, fromCache } = lists;
  const report = rebuildIpam(ctx.term.ipam, { subnets, ips, pods, nowMs: clock.now() });
  for (const c of report.conflicts) {
    // Reported three ways, never resolved by freeing or re-giving either claim (DESIGN §7a).
    logger.error({ pod: c.key, subnet: c.subnet.slice(0, 253), reason: c.reason }, `address claim not restored: ${c.message}`);
    ctx.events.record(RESOURCES.pods, c.pod, 'Warning', EVENT_REASONS.restoreConflict, `${c.reason}: ${c.message}; the address stays with its holder`);
    ctx.instruments.ipamConflicts.add(1, { subnet_name: subnetLabel(c.subnet, (n) => ctx.term.ipam.subnet(n) !== undefined) });
  }
  logger.info({ subnets: report.subnets, restored: report.restored, conflicts: report.conflicts.length, fromCache, ms: clock.now() - started }, 'IPAM rebuilt');
  return true;
}
