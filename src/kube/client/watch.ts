import type { Readable } from 'node:stream';
import { skipSpace } from './json-scan.js';
import { projectObjectAt } from './projection.js';
import type { FieldShape } from './projection.js';
import type { KubeObject, WatchEvent, WatchEventType } from './types.js';

const EVENT_TYPES: ReadonlySet<string> = new Set<WatchEventType>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** The stream went quiet for longer than the inactivity timeout: treat the connection as dead. */
export class WatchInactivityError extends Error {
  constructor(ms: number) {
    super(`watch stream received nothing for ${ms} ms`);
    this.name = 'WatchInactivityError';
  }
}

/** A running watch: iterate its events; ends when the server closes the stream cleanly. */
export interface WatchStream<T extends KubeObject = KubeObject> extends AsyncIterable<WatchEvent<T>> {
  /** Ends the stream and frees the connection; idempotent. */
  close(): void;
}

/**
 * Splits a watch body into events. A malformed line throws (the connection state is unknown,
 * so the caller reconnects from its last resourceVersion). `inactivityMs` (0 = off) destroys
 * the body when no bytes arrive for that long: half-open TCP connections otherwise hang forever.
 * `fields`: decode each event's object to these fields only (`projection.ts`), as a list does
 * for an informer's slim transform; an `ERROR` event's Status is always decoded whole.
 *
 * Lines are cut from the bytes (a newline byte never occurs inside a UTF-8 character), so a
 * line is decoded once, from its own bytes, however the chunks fell.
 */
export function decodeWatch<T extends KubeObject>(body: Readable, inactivityMs: number, fields?: FieldShape): WatchStream<T> {
  let timer: NodeJS.Timeout | undefined;
  // Re-armed on every chunk: `refresh` moves the one timer instead of allocating a new one (a
  // pod watch in a burst delivers thousands of chunks a second).
  const arm = (): void => {
    if (inactivityMs <= 0) return;
    if (timer === undefined) timer = setTimeout(() => body.destroy(new WatchInactivityError(inactivityMs)), inactivityMs).unref();
    else timer.refresh();
  };
  const close = (): void => {
    clearTimeout(timer);
    body.destroy();
  };
  const shape: FieldShape | undefined = fields === undefined ? undefined : { type: true, object: fields };
  async function* events(): AsyncGenerator<WatchEvent<T>> {
    // The start of a line that has not ended yet, in the chunks it came in.
    let head: Buffer[] = [];
    arm();
    try {
      for await (const chunk of body) {
        arm();
        const buf = chunk as Buffer;
        let newline = buf.indexOf(NEWLINE);
        let from = 0;
        if (head.length > 0) {
          if (newline < 0) {
            head.push(buf);
            continue;
          }
          // Only the line that spans chunks is copied; the rest is decoded where it lies.
          head.push(buf.subarray(0, newline));
          const line = Buffer.concat(head);
          head = [];
          const event = decodeLine<T>(line, 0, line.length, shape);
          if (event !== undefined) yield event;
          from = newline + 1;
          newline = buf.indexOf(NEWLINE, from);
        }
        while (newline >= 0) {
          const event = decodeLine<T>(buf, from, newline, shape);
          if (event !== undefined) yield event;
          from = newline + 1;
          newline = buf.indexOf(NEWLINE, from);
        }
        if (from < buf.length) head.push(from === 0 ? buf : buf.subarray(from));
      }
      if (head.length > 0) {
        const rest = Buffer.concat(head);
        const event = decodeLine<T>(rest, 0, rest.length, shape);
        if (event !== undefined) yield event;
      }
    } finally {
      close();
    }
  }
  return { [Symbol.asyncIterator]: () => events(), close };
}

const NEWLINE = 0x0a;

/** The event on `b[start, end)`; undefined for a blank line. */
function decodeLine<T extends KubeObject>(b: Buffer, start: number, end: number, shape: FieldShape | undefined): WatchEvent<T> | undefined {
  const first = skipSpace(b, start);
  if (first >= end) return undefined;
  if (shape !== undefined) {
    const projected = projectObjectAt(b, first, shape);
    // The object must end on this line, followed by blanks only; anything else, or an ERROR's
    // Status, is decoded from the whole line as before.
    if (projected !== undefined && projected.end <= end && skipSpace(b, projected.end) >= end) {
      const event = parseWatchLine<T>(projected.text);
      if (event.type !== 'ERROR') return event;
    }
  }
  return parseWatchLine<T>(b.toString('utf8', first, end).trim());
}

/** Parses one `{"type","object"}` line; throws on anything else. */
export function parseWatchLine<T extends KubeObject>(line: string): WatchEvent<T> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new Error(`malformed watch event: ${line.slice(0, 120)}`, { cause: err });
  }
  const event = value as { type?: unknown; object?: unknown };
  if (typeof event.type !== 'string' || !EVENT_TYPES.has(event.type) || typeof event.object !== 'object' || event.object === null) {
    throw new Error(`malformed watch event: ${line.slice(0, 120)}`);
  }
  const object = event.object as T;
  if (typeof object.metadata !== 'object' || object.metadata === null) object.metadata = {};
  return { type: event.type as WatchEventType, object };
}
