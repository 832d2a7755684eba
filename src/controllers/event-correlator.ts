/**
 * The pure core of the Event recorder, after client-go's `EventCorrelator`: a token bucket per
 * object (burst 25, one more every 5 minutes) drops the long tail of an object that is always
 * failing; similar Events (same object, type and reason, more than 10 messages in 10 minutes)
 * combine into one; the same Event again becomes a higher `count` on the Event already written
 * instead of a new one. Every table is an LRU of at most 4096 entries, so memory is bounded
 * whatever the number of objects.
 */
import type { EventInput, InvolvedObject } from '../kube/index.js';

export interface CorrelatorOptions {
  /** Entries per table (rate limits, similar-message sets, series). Default 4096, client-go's. */
  readonly cacheSize?: number;
  /** Events an object may get at once. Default 25. */
  readonly burst?: number;
  /** One more token per this long, ms. Default 300000 (5 minutes). */
  readonly refillMs?: number;
  /** Distinct messages of one object/type/reason within `aggregateWindowMs` before they combine. Default 10. */
  readonly aggregateMaxMessages?: number;
  /** Default 600000 (10 minutes). */
  readonly aggregateWindowMs?: number;
}

/** One Event on the API server (or about to be): what was recorded and what the server has. */
export interface EventSeries {
  /** The Event as first recorded; `message` follows the latest occurrence. */
  readonly input: EventInput;
  message: string;
  /** Occurrences recorded so far. */
  count: number;
  /** `count` as last written (or attempted); the series needs a write while they differ. */
  written: number;
  readonly firstMs: number;
  lastMs: number;
  /** The Event object once created. */
  name?: string;
  namespace?: string;
  /** In the send queue, or being sent: never both, and never twice. */
  queued: boolean;
  sending: boolean;
}

export interface EventCorrelator {
  /** The series `input` belongs to, its count and times updated; undefined when the object's rate limit drops it. */
  observe(input: EventInput, nowMs: number): EventSeries | undefined;
  /** Entries held across the tables (tests: the bound). */
  size(): number;
}

/** Prefix of a combined message (client-go's wording). */
export const COMBINED_PREFIX = '(combined from similar events): ';

/** A Map kept in use order: reads move an entry to the end, inserts past `limit` drop the oldest. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as string);
  }
  get size(): number {
    return this.map.size;
  }
}

/** The object part of every key; not its resourceVersion, which changes with each write to it. */
function objectKey(o: InvolvedObject): string {
  return [o.apiVersion, o.kind, o.namespace ?? '', o.name, o.uid ?? ''].join('\u0000');
}

export function createEventCorrelator(options: CorrelatorOptions = {}): EventCorrelator {
  const size = options.cacheSize ?? 4096;
  const burst = options.burst ?? 25;
  const refillMs = options.refillMs ?? 300_000;
  const maxMessages = options.aggregateMaxMessages ?? 10;
  const windowMs = options.aggregateWindowMs ?? 600_000;
  const buckets = new Lru<{ tokens: number; atMs: number }>(size);
  const similar = new Lru<{ messages: Set<string>; lastMs: number }>(size);
  const series = new Lru<EventSeries>(size);

  function allowed(key: string, now: number): boolean {
    const bucket = buckets.get(key) ?? { tokens: burst, atMs: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.atMs) / refillMs);
    bucket.atMs = now;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** The key and message the Event is counted under: its own, or the combined one of its reason. */
  function aggregate(reasonKey: string, message: string, now: number): { key: string; message: string } {
    let record = similar.get(reasonKey);
    if (record === undefined || now - record.lastMs > windowMs) record = { messages: new Set(), lastMs: now };
    record.messages.add(message);
    record.lastMs = now;
    similar.set(reasonKey, record);
    if (record.messages.size < maxMessages) return { key: `${reasonKey}\u0000${message}`, message };
    // Keep the set at its bound: later distinct messages all land on the combined Event anyway.
    record.messages.delete(record.messages.values().next().value as string);
    return { key: reasonKey, message: COMBINED_PREFIX + message };
  }

  return {
    observe(input, now) {
      const object = objectKey(input.involvedObject);
      if (!allowed(object, now)) return undefined;
      const { key, message } = aggregate([object, input.type, input.reason].join('\u0000'), input.message, now);
      const known = series.get(key);
      if (known !== undefined) {
        known.count += 1;
        known.lastMs = now;
        known.message = message;
        return known;
      }
      const created: EventSeries = { input, message, count: 1, written: 0, firstMs: now, lastMs: now, queued: false, sending: false };
      series.set(key, created);
      return created;
    },
    size: () => buckets.size + similar.size + series.size,
  };
}
