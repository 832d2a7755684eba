/**
 * Decodes a list answer (`{"kind":…,"metadata":{…},"items":[…]}`) one item at a time. Parsing a
 * whole page at once keeps every full item alive until the last one is parsed, so each young
 * collection during the parse copies them all; a page of 500 realistic pods is ~4 MB of text and
 * several times that in objects. Here each item's bytes are parsed and handed to `map` (which
 * keeps a slim copy) before the next item is parsed, and the full item dies young.
 *
 * The split scans bytes: in UTF-8 no byte of a multi-byte character equals an ASCII quote,
 * backslash or bracket, so depth and string tracking need no decoding. Anything the split does
 * not expect (not an object, `items` not an array of objects, a second `items`, a truncated
 * body) is decoded by one `JSON.parse` of the whole body instead: the same result, or the same
 * SyntaxError, as before.
 */

export interface ListMeta {
  readonly resourceVersion?: string;
  readonly continue?: string;
}

export interface DecodedList<U> {
  readonly items: U[];
  readonly metadata: ListMeta | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length && isSpace(b[i] as number)) i++;
  return i;
}

/** `i` is just past an opening quote; returns the index just past the closing one, or -1. */
function endOfString(b: Uint8Array, i: number): number {
  const n = b.length;
  while (i < n) {
    const c = b[i++] as number;
    if (c === QUOTE) return i;
    if (c === BACKSLASH) i++;
  }
  return -1;
}

/** `b[i]` opens an object or array; returns the index just past its close, or -1. */
function endOfComposite(b: Uint8Array, i: number): number {
  const n = b.length;
  let depth = 0;
  while (i < n) {
    const c = b[i++] as number;
    if (c === QUOTE) {
      i = endOfString(b, i);
      if (i < 0) return -1;
    } else if (c === LBRACE || c === LBRACKET) {
      depth++;
    } else if (c === RBRACE || c === RBRACKET) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Returns the index just past the value starting at `b[i]`, or -1. */
function endOfValue(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === QUOTE) return endOfString(b, i + 1);
  if (c === LBRACE || c === LBRACKET) return endOfComposite(b, i);
  // number, true, false, null
  let j = i;
  while (j < b.length) {
    const d = b[j] as number;
    if (d === COMMA || d === RBRACE || d === RBRACKET || isSpace(d)) break;
    j++;
  }
  return j > i ? j : -1;
}

function text(body: Buffer, start: number, end: number): string {
  return body.toString('utf8', start, end);
}

/** The split; `undefined` when the body is not the shape it expects. */
function split<T, U>(body: Buffer, map: (item: T) => U): DecodedList<U> | undefined {
  const b = new Uint8Array(body.buffer, body.byteOffset, body.length);
  let i = skipSpace(b, 0);
  if (b[i] !== LBRACE) return undefined;
  i = skipSpace(b, i + 1);
  let items: U[] | undefined;
  let metadata: ListMeta | undefined;
  if (b[i] === RBRACE) return skipSpace(b, i + 1) === b.length ? { items: [], metadata } : undefined;
  for (;;) {
    if (b[i] !== QUOTE) return undefined;
    const keyEnd = endOfString(b, i + 1);
    if (keyEnd < 0) return undefined;
    const key = JSON.parse(text(body, i, keyEnd)) as string;
    i = skipSpace(b, keyEnd);
    if (b[i] !== COLON) return undefined;
    i = skipSpace(b, i + 1);
    if (key === 'items') {
      if (items !== undefined || b[i] !== LBRACKET) return undefined;
      items = [];
      i = skipSpace(b, i + 1);
      if (b[i] === RBRACKET) i++;
      else {
        for (;;) {
          if (b[i] !== LBRACE) return undefined;
          const end = endOfComposite(b, i);
          if (end < 0) return undefined;
          items.push(map(JSON.parse(text(body, i, end)) as T));
          i = skipSpace(b, end);
          if (b[i] === RBRACKET) {
            i++;
            break;
          }
          if (b[i] !== COMMA) return undefined;
          i = skipSpace(b, i + 1);
        }
      }
    } else {
      const end = endOfValue(b, i);
      if (end < 0) return undefined;
      if (key === 'metadata') metadata = JSON.parse(text(body, i, end)) as ListMeta;
      i = end;
    }
    i = skipSpace(b, i);
    if (b[i] === RBRACE) break;
    if (b[i] !== COMMA) return undefined;
    i = skipSpace(b, i + 1);
  }
  if (skipSpace(b, i + 1) !== b.length) return undefined;
  return { items: items ?? [], metadata };
}

/**
 * Decodes `body`, calling `map` on each item in order; an empty body is an empty list. `map`
 * must be pure: on the whole-body path it runs again for the items the split had reached.
 */
export function decodeListBody<T, U>(body: Buffer, map: (item: T) => U): DecodedList<U> {
  if (body.length === 0) return { items: [], metadata: undefined };
  const decoded = split(body, map);
  if (decoded !== undefined) return decoded;
  const whole = JSON.parse(body.toString('utf8')) as { items?: T[]; metadata?: ListMeta };
  return { items: (whole.items ?? []).map(map), metadata: whole.metadata };
}
