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

import { projectObjectAt } from './projection.js';
import type { FieldShape } from './projection.js';
import { COLON, COMMA, endOfComposite, endOfString, endOfValue, LBRACE, LBRACKET, QUOTE, RBRACE, RBRACKET, skipSpace } from './json-scan.js';

export interface ListMeta {
  readonly resourceVersion?: string;
  readonly continue?: string;
}

export interface DecodedList<U> {
  readonly items: U[];
  readonly metadata: ListMeta | undefined;
}

function text(body: Buffer, start: number, end: number): string {
  return body.toString('utf8', start, end);
}

/** The member key at `b[i]` (`"key" :`) and where its value starts; `undefined` when there is none. */
function memberAt(body: Buffer, b: Uint8Array, i: number): { readonly key: string; readonly value: number } | undefined {
  if (b[i] !== QUOTE) return undefined;
  const keyEnd = endOfString(b, i + 1);
  if (keyEnd < 0) return undefined;
  const key = JSON.parse(text(body, i, keyEnd)) as string;
  const colon = skipSpace(b, keyEnd);
  return b[colon] === COLON ? { key, value: skipSpace(b, colon + 1) } : undefined;
}

/** The split; `undefined` when the body is not the shape it expects. */
function split<T, U>(body: Buffer, map: (item: T) => U, shape: FieldShape | undefined): DecodedList<U> | undefined {
  const b = new Uint8Array(body.buffer, body.byteOffset, body.length);
  let i = skipSpace(b, 0);
  if (b[i] !== LBRACE) return undefined;
  i = skipSpace(b, i + 1);
  let items: U[] | undefined;
  let metadata: ListMeta | undefined;
  if (b[i] === RBRACE) return skipSpace(b, i + 1) === b.length ? { items: [], metadata } : undefined;
  for (;;) {
    const member = memberAt(body, b, i);
    if (member === undefined) return undefined;
    const key = member.key;
    i = member.value;
    if (key === 'items') {
      if (items !== undefined || b[i] !== LBRACKET) return undefined;
      items = [];
      i = skipSpace(b, i + 1);
      if (b[i] === RBRACKET) i++;
      else {
        for (;;) {
          if (b[i] !== LBRACE) return undefined;
          let end: number;
          if (shape === undefined) {
            end = endOfComposite(b, i);
            if (end < 0) return undefined;
            items.push(map(JSON.parse(text(body, i, end)) as T));
          } else {
            const projected = projectObjectAt(body, i, shape);
            if (projected === undefined) return undefined;
            end = projected.end;
            items.push(map(JSON.parse(projected.text) as T));
          }
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
 * The list's metadata when it comes before `items`, as API servers write it, read without
 * decoding the items: a paging caller can request the next page while this one is decoded.
 * `undefined` when the body is not an object, `items` comes first, or it has no metadata.
 */
export function peekListMeta(body: Buffer): ListMeta | undefined {
  const b = new Uint8Array(body.buffer, body.byteOffset, body.length);
  let i = skipSpace(b, 0);
  if (b[i] !== LBRACE) return undefined;
  i = skipSpace(b, i + 1);
  for (;;) {
    const member = memberAt(body, b, i);
    if (member === undefined || member.key === 'items') return undefined;
    const { key } = member;
    i = member.value;
    const end = endOfValue(b, i);
    if (end < 0) return undefined;
    if (key === 'metadata') {
      try {
        const meta = JSON.parse(text(body, i, end)) as unknown;
        return typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? (meta as ListMeta) : undefined;
      } catch {
        return undefined;
      }
    }
    i = skipSpace(b, end);
    if (b[i] !== COMMA) return undefined;
    i = skipSpace(b, i + 1);
  }
}

/**
 * Decodes `body`, calling `map` on each item in order; an empty body is an empty list. `map`
 * must be pure: on the whole-body path it runs again for the items the split had reached.
 * `shape`: decode only these fields of each item (`projection.ts`); the whole-body path, for
 * shapes the split does not expect, decodes whole items.
 */
export function decodeListBody<T, U>(body: Buffer, map: (item: T) => U, shape?: FieldShape): DecodedList<U> {
  if (body.length === 0) return { items: [], metadata: undefined };
  const decoded = split(body, map, shape);
  if (decoded !== undefined) return decoded;
  const whole = JSON.parse(body.toString('utf8')) as { items?: T[]; metadata?: ListMeta };
  return { items: (whole.items ?? []).map(map), metadata: whole.metadata };
}
