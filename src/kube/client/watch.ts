import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
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
 */
export function decodeWatch<T extends KubeObject>(body: Readable, inactivityMs: number): WatchStream<T> {
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
  async function* events(): AsyncGenerator<WatchEvent<T>> {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    arm();
    try {
      for await (const chunk of body) {
        arm();
        pending += decoder.write(chunk as Buffer);
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (line !== '') yield parseWatchLine<T>(line);
          newline = pending.indexOf('\n');
        }
      }
      const rest = (pending + decoder.end()).trim();
      if (rest !== '') yield parseWatchLine<T>(rest);
    } finally {
      close();
    }
  }
  return { [Symbol.asyncIterator]: () => events(), close };
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
