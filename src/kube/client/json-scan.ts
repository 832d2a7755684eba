/**
 * Byte-level JSON scanning shared by the list split and the field projection: where a value
 * ends, without decoding it. Valid because in UTF-8 no byte of a multi-byte character equals an
 * ASCII quote, backslash, bracket or brace.
 */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length && isSpace(b[i] as number)) i++;
  return i;
}

/** `i` is just past an opening quote; returns the index just past the closing one, or -1. */
export function endOfString(b: Uint8Array, i: number): number {
  const n = b.length;
  while (i < n) {
    const c = b[i++] as number;
    if (c === QUOTE) return i;
    if (c === BACKSLASH) i++;
  }
  return -1;
}

// What a byte means to `endOfComposite`: one table load and one test per ordinary byte instead
// of up to five comparisons. Decoding a page of 5,000 realistic pods took 77-83 ms of CPU with
// the table, 90-93 ms without (bench/RESULTS.md, section J). Inside strings a table gained nothing.
const OTHER = 0;
const STRING = 1;
const OPEN = 2;
const CLOSE = 3;
const ROLE = new Uint8Array(256);
ROLE[QUOTE] = STRING;
ROLE[LBRACE] = OPEN;
ROLE[LBRACKET] = OPEN;
ROLE[RBRACE] = CLOSE;
ROLE[RBRACKET] = CLOSE;

/** `b[i]` opens an object or array; returns the index just past its close, or -1. */
export function endOfComposite(b: Uint8Array, i: number): number {
  const n = b.length;
  let depth = 0;
  while (i < n) {
    const role = ROLE[b[i++] as number] as number;
    if (role === OTHER) continue;
    if (role === STRING) {
      i = endOfString(b, i);
      if (i < 0) return -1;
    } else if (role === OPEN) {
      depth++;
    } else if (--depth === 0) {
      return i;
    }
  }
  return -1;
}

/** Returns the index just past the value starting at `b[i]`, or -1. */
export function endOfValue(b: Uint8Array, i: number): number {
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

