/**
 * Field projection on JSON bytes: the text of an object with only the fields a caller reads,
 * cut from the encoded bytes before anything is parsed. An informer keeps a slim copy of each
 * pod (a few hundred bytes of its 5-30 KB); parsing only the slim copy's fields spares
 * `JSON.parse` the managedFields, containers, volumes and statuses it would build and drop.
 *
 * Same result as parsing the whole object and reading only those fields: a kept value is copied
 * byte for byte; a repeated key is kept each time, so the parse sees the last one as it would;
 * a field the shape nests into but whose value is not an object is kept whole. One difference:
 * a malformed value inside a field that is not kept goes unnoticed, where the whole parse threw.
 * An API server writes well-formed JSON, and a truncated item is still refused (its end is not
 * found). The scan relies on the same property as the list split: no byte of a multi-byte UTF-8
 * character is ASCII.
 */
import { BACKSLASH, COLON, COMMA, endOfString, endOfValue, LBRACE, QUOTE, RBRACE, skipSpace } from './json-scan.js';

/** The fields to keep: `true` keeps a value whole; a nested shape keeps those fields of an object value. */
export interface FieldShape {
  readonly [field: string]: true | FieldShape;
}

/** The key at `b[start, end)` (quotes included) as a string; plain ASCII, the usual case, without a parse. */
function keyOf(b: Buffer, start: number, end: number): string {
  for (let i = start + 1; i < end - 1; i++) {
    const c = b[i] as number;
    if (c === BACKSLASH || c >= 0x80) return JSON.parse(b.toString('utf8', start, end)) as string;
  }
  return b.toString('latin1', start + 1, end - 1);
}

/**
 * Appends to `out` the kept members of the object opening at `b[i]`; returns the index just
 * past its closing brace, or -1 when the bytes are not a well-formed object of this shape.
 */
function project(b: Buffer, i: number, shape: FieldShape, out: string[]): number {
  const n = b.length;
  out.push('{');
  let first = true;
  i = skipSpace(b, i + 1);
  if (b[i] === RBRACE) {
    out.push('}');
    return i + 1;
  }
  for (;;) {
    if (b[i] !== QUOTE) return -1;
    const keyStart = i;
    const keyEnd = endOfString(b, i + 1);
    if (keyEnd < 0) return -1;
    i = skipSpace(b, keyEnd);
    if (b[i] !== COLON) return -1;
    const valueStart = skipSpace(b, i + 1);
    if (valueStart >= n) return -1;
    const key = keyOf(b, keyStart, keyEnd);
    // Own fields only: a key such as `constructor` must not find Object's.
    const want = Object.hasOwn(shape, key) ? shape[key] : undefined;
    let valueEnd: number;
    if (want === undefined) {
      valueEnd = endOfValue(b, valueStart);
    } else if (want !== true && b[valueStart] === LBRACE) {
      out.push(first ? '' : ',', b.toString('utf8', keyStart, keyEnd), ':');
      first = false;
      valueEnd = project(b, valueStart, want, out);
    } else {
      // The member as it stands, key to value: one string.
      valueEnd = endOfValue(b, valueStart);
      if (valueEnd >= 0) out.push(first ? '' : ',', b.toString('utf8', keyStart, valueEnd));
      first = false;
    }
    if (valueEnd < 0) return -1;
    i = skipSpace(b, valueEnd);
    if (b[i] === RBRACE) {
      out.push('}');
      return i + 1;
    }
    if (b[i] !== COMMA) return -1;
    i = skipSpace(b, i + 1);
  }
}

/**
 * The object opening at `b[start]` reduced to `shape`: its JSON text and the index just past
 * its closing brace; `undefined` when the bytes from `start` are not one well-formed object (the
 * caller then parses them whole, and gets the same result or the same SyntaxError as before).
 * One pass: the caller needs no scan of its own for where the object ends.
 */
export function projectObjectAt(b: Buffer, start: number, shape: FieldShape): { readonly text: string; readonly end: number } | undefined {
  if (b[start] !== LBRACE) return undefined;
  const out: string[] = [];
  const end = project(b, start, shape, out);
  return end < 0 ? undefined : { text: out.join(''), end };
}

/** `projectObjectAt` of exactly the object `b[start, end)`; `undefined` unless one object fills it. */
export function projectObject(b: Buffer, start: number, end: number, shape: FieldShape): string | undefined {
  const r = projectObjectAt(end === b.length ? b : b.subarray(0, end), start, shape);
  return r !== undefined && r.end === end ? r.text : undefined;
}
