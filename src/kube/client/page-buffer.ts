/**
 * One byte buffer that the pages of a list are read into in turn. A page of 500 realistic pods
 * is ~4 MB. Concatenating each page's chunks into fresh memory was 268 ms of a profiled
 * restart's main thread at 11k pods; 22 such concatenations take ~290 ms on fresh memory and
 * 30-45 ms on memory already touched (bench/RESULTS.md, section J). Reusing the buffer leaves
 * only the copy.
 *
 * A page's bytes are valid until the next `start`: the list decoder copies what it keeps into
 * strings and objects, so nothing outlives its page. The buffer lives as long as the list that
 * owns it (the reflector's or the rebuild's), not the process.
 */

/** A Content-Length above this only sizes the buffer as the bytes arrive, not up front. */
const MAX_PRESIZE = 64 * 1024 * 1024;

export class PageBuffer {
  private bytes = Buffer.allocUnsafe(0);
  private length = 0;

  /** Starts a page; `expected` (a Content-Length) sizes the buffer once when known. */
  start(expected: number | undefined): void {
    this.length = 0;
    if (expected !== undefined && expected > this.bytes.length && expected <= MAX_PRESIZE) this.bytes = Buffer.allocUnsafe(expected);
  }

  append(chunk: Buffer): void {
    const need = this.length + chunk.length;
    if (need > this.bytes.length) {
      // Doubling keeps a body of unknown length (chunked transfer) to O(log n) copies.
      const grown = Buffer.allocUnsafe(Math.max(need, this.bytes.length * 2, 64 * 1024));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    chunk.copy(this.bytes, this.length);
    this.length = need;
  }

  /** The page read so far, as a view: valid until the next `start`. */
  view(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}
