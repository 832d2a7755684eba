/**
 * Best-effort Kubernetes Events (core/v1, as client-go's `record` package writes them),
 * correlated like client-go's recorder: the same Event again is a PATCH of `count`,
 * `lastTimestamp` and `message` on the Event already written, not a new one; an object past
 * its rate limit gets no more for a while (see `createEventCorrelator`). Writes go in the
 * background with bounded concurrency and a bounded backlog, so a slow API server never slows
 * a reconcile and a flood of failures never grows memory. Repeats that arrive while a write of
 * the same Event is queued or in flight join it: one request carries the latest count.
 */
import { formatTime } from '../clock/index.js';
import { involvedObjectOf, isNotFound, RESOURCES } from '../kube/index.js';
import type { Clock } from '../clock/index.js';
import type { KubeClient, KubeObject, Resource } from '../kube/index.js';
import type { Logger } from '../log/index.js';
import { createEventCorrelator } from './event-correlator.js';
import type { CorrelatorOptions, EventSeries } from './event-correlator.js';

export interface EventRecorder {
  /** Records an Event about `obj`: a new one, a higher count on one already written, or nothing past the object's rate limit. */
  record(resource: Resource, obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** Resolves when nothing is in flight or queued (tests). */
  idle(): Promise<void>;
}

export interface EventRecorderOptions {
  readonly client: Pick<KubeClient, 'createEvent' | 'mergePatch'>;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Rate limit, aggregation and cache bounds; client-go's defaults. */
  readonly correlator?: CorrelatorOptions;
  /** Concurrent writes. Default 8. */
  readonly maxInFlight?: number;
  /** Events waiting beyond the in-flight ones; more are dropped (and counted in the log). `Normal` events only get a tenth of it. Default 2000. */
  readonly maxPending?: number;
  /** `source.host` (the node this replica runs on). */
  readonly host?: string;
  /** `reportingInstance` (this replica's pod name). */
  readonly instance?: string;
}

export function createEventRecorder(options: EventRecorderOptions): EventRecorder {
  const { client, logger, clock } = options;
  const correlator = createEventCorrelator(options.correlator);
  const maxInFlight = options.maxInFlight ?? 8;
  const maxPending = options.maxPending ?? 2000;
  const queue: EventSeries[] = [];
  let inFlight = 0;
  const dropped = { backlog: 0, limited: 0 };
  const idlers: Array<() => void> = [];

  /** Creates the Event, or patches the one written before (created anew if it expired). */
  async function write(s: EventSeries, count: number): Promise<void> {
    if (s.name !== undefined) {
      const patch = { count, lastTimestamp: formatTime(s.lastMs), message: s.message };
      try {
        await client.mergePatch(RESOURCES.events, s.name, patch, { namespace: s.namespace ?? 'default', discard: true });
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const created = await client.createEvent({ ...s.input, message: s.message, count, firstMs: s.firstMs, lastMs: s.lastMs });
    s.name = created.metadata.name;
    s.namespace = created.metadata.namespace;
  }

  function send(s: EventSeries): void {
    s.sending = true;
    inFlight += 1;
    const count = s.count;
    // Written even when it failed: a failure is not retried in a loop; the next repeat writes the total.
    s.written = count;
    void write(s, count)
      .catch((err: unknown) => logger.debug({ err: err instanceof Error ? err.message : String(err), reason: s.input.reason }, 'event not recorded'))
      .finally(() => {
        s.sending = false;
        inFlight -= 1;
        if (s.count !== s.written) schedule(s);
        pump();
      });
  }

  function pump(): void {
    while (inFlight < maxInFlight && queue.length > 0) {
      const next = queue.shift() as EventSeries;
      next.queued = false;
      send(next);
    }
    if (inFlight === 0 && queue.length === 0) idlers.splice(0).forEach((wake) => wake());
  }

  function schedule(s: EventSeries): void {
    if (s.queued || s.sending) return;
    // Under a burst, informational events yield first: Warnings keep the whole backlog.
    if (queue.length >= (s.input.type === 'Normal' ? Math.ceil(maxPending / 10) : maxPending)) {
      dropped.backlog += 1;
      if (dropped.backlog % 1000 === 1) logger.warn({ dropped: dropped.backlog }, 'event backlog full; dropping events');
      return;
    }
    s.queued = true;
    queue.push(s);
  }

  return {
    record(resource, obj, type, reason, message) {
      const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
      const input = {
        involvedObject: involvedObjectOf(obj, apiVersion, resource.kind),
        type,
        reason,
        message: message.length > 1000 ? `${message.slice(0, 997)}...` : message,
        ...(options.host === undefined || options.host === '' ? {} : { host: options.host }),
        ...(options.instance === undefined || options.instance === '' ? {} : { instance: options.instance }),
      };
      const series = correlator.observe(input, clock.now());
      if (series === undefined) {
        dropped.limited += 1;
        if (dropped.limited % 1000 === 1) logger.debug({ dropped: dropped.limited, reason, object: input.involvedObject.name }, 'event over its object\'s rate limit; dropped');
        return;
      }
      schedule(series);
      pump();
    },
    idle() {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idlers.push(resolve));
    },
  };
}
