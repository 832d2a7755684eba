/**
 * Best-effort Kubernetes Events: deduplicated per object and reason, sent in the background
 * with bounded concurrency and a bounded backlog, so a slow API server never slows a
 * reconcile and a flood of failures never grows memory.
 */
import { involvedObjectOf } from '../kube/index.js';
import type { Clock } from '../clock/index.js';
import type { KubeClient, KubeObject, Resource } from '../kube/index.js';
import type { Logger } from '../log/index.js';

export interface EventRecorder {
  /** Queues an Event about `obj` unless the same object/reason had one within the dedup window. */
  record(resource: Resource, obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** Resolves when nothing is in flight or queued (tests). */
  idle(): Promise<void>;
}

export interface EventRecorderOptions {
  readonly client: Pick<KubeClient, 'createEvent'>;
  readonly logger: Logger;
  readonly clock: Clock;
  /** At most one Event per object and reason per this window, ms. Default 30000. */
  readonly dedupMs?: number;
  /** Concurrent POSTs. Default 8. */
  readonly maxInFlight?: number;
  /** Events waiting beyond the in-flight ones; more are dropped (and counted in the log). `Normal` events only get a tenth of it. Default 2000. */
  readonly maxPending?: number;
  /** `source.host` (the node this replica runs on). */
  readonly host?: string;
  /** `reportingInstance` (this replica's pod name). */
  readonly instance?: string;
}

interface Pending {
  readonly run: () => Promise<unknown>;
}

export function createEventRecorder(options: EventRecorderOptions): EventRecorder {
  const dedupMs = options.dedupMs ?? 30_000;
  const maxInFlight = options.maxInFlight ?? 8;
  const maxPending = options.maxPending ?? 2000;
  const lastSent = new Map<string, number>();
  const queue: Pending[] = [];
  let inFlight = 0;
  let dropped = 0;
  const idlers: Array<() => void> = [];

  // Pruning is O(entries): run it only when the map doubled since the last prune, so a burst of
  // distinct objects inside one window costs amortised O(1) per event.
  let pruneAt = 20_000;
  const prune = (now: number): void => {
    for (const [key, at] of lastSent) if (now - at >= dedupMs) lastSent.delete(key);
    pruneAt = Math.max(20_000, lastSent.size * 2);
  };
  const pump = (): void => {
    while (inFlight < maxInFlight && queue.length > 0) {
      const next = queue.shift() as Pending;
      inFlight += 1;
      void next
        .run()
        .catch((err: unknown) => options.logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'event not recorded'))
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
    if (inFlight === 0 && queue.length === 0) idlers.splice(0).forEach((wake) => wake());
  };

  return {
    record(resource, obj, type, reason, message) {
      const now = options.clock.now();
      const key = `${resource.plural}/${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}/${reason}`;
      const last = lastSent.get(key);
      if (last !== undefined && now - last < dedupMs) return;
      lastSent.set(key, now);
      if (lastSent.size > pruneAt) prune(now);
      // Under a burst, informational events yield first: Warnings keep the whole backlog.
      if (queue.length >= (type === 'Normal' ? Math.ceil(maxPending / 10) : maxPending)) {
        dropped += 1;
        if (dropped % 1000 === 1) options.logger.warn({ dropped }, 'event backlog full; dropping events');
        return;
      }
      const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
      const involvedObject = involvedObjectOf(obj, apiVersion, resource.kind);
      const input = {
        involvedObject,
        type,
        reason,
        message: message.length > 1000 ? `${message.slice(0, 997)}...` : message,
        ...(options.host === undefined || options.host === '' ? {} : { host: options.host }),
        ...(options.instance === undefined || options.instance === '' ? {} : { instance: options.instance }),
      };
      queue.push({ run: () => options.client.createEvent(input) });
      pump();
    },
    idle() {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idlers.push(resolve));
    },
  };
}
