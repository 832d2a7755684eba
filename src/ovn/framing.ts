/**
 * Splits an OVSDB byte stream into JSON texts. RFC 7047 JSON-RPC has no length prefix: the
 * stream is concatenated JSON objects, so the splitter tracks depth, strings and escapes.
 * It scans bytes, not characters: every structural character is ASCII and no byte of a
 * multi-byte UTF-8 sequence is below 0x80, so a code point split across chunks is harmless;
 * a text is decoded only once it is complete.
 */
export interface JsonSplitter {
  /** Feeds one chunk; returns the complete texts it finished, parsed. Throws `FramingError` on a malformed stream. */
  push(chunk: Uint8Array): unknown[];
  /** Bytes held for an unfinished text. */
  readonly pending: number;
}

export class FramingError extends Error {
  override readonly name = 'FramingError';
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** `maxBytes` bounds one text (default 256 MiB, far above a 100k-row NB monitor reply) so a broken peer cannot grow memory without end. */
export function createJsonSplitter(maxBytes = 256 * 1024 * 1024): JsonSplitter {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pieces: Uint8Array[] = [];
  let held = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;

  function finish(chunk: Uint8Array, start: number, end: number): unknown {
    const tail = chunk.subarray(start, end);
    const whole = pieces.length === 0 ? tail : Buffer.concat([...pieces, tail]);
    pieces = [];
    held = 0;
    let text: string;
    try {
      text = decoder.decode(whole);
    } catch (err) {
      throw new FramingError('OVSDB stream: a JSON text is not valid UTF-8', { cause: err });
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new FramingError(`OVSDB stream: malformed JSON text starting ${JSON.stringify(text.slice(0, 60))}`, { cause: err });
    }
  }

  function push(chunk: Uint8Array): unknown[] {
    const out: unknown[] = [];
    let start = depth === 0 ? -1 : 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
        continue;
      }
      if (depth === 0) {
        if (isSpace(b)) continue;
        if (b !== OPEN_BRACE && b !== OPEN_BRACKET) throw new FramingError(`OVSDB stream: expected \`{\` to start a JSON-RPC message, got byte 0x${b.toString(16)}`);
        start = i;
      }
      if (b === QUOTE) inString = true;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) {
          out.push(finish(chunk, start, i + 1));
          start = -1;
        }
      }
    }
    if (depth > 0 && start >= 0) {
      const rest = chunk.subarray(start);
      held += rest.length;
      if (held > maxBytes) throw new FramingError(`OVSDB stream: a JSON text exceeds ${maxBytes} bytes`);
      // Copy: the socket may reuse its buffer.
      pieces.push(Uint8Array.prototype.slice.call(rest));
    }
    return out;
  }

  return {
    push,
    get pending() {
      return held;
    },
  };
}
