/**
 * One byte buffer that the pages of a list are read into in turn. A page of 500 realistic pods
 * is ~4 MB; concatenating its chunks into a fresh buffer per page first touches ~1,000 new
 * memory pages each time, and those page faults were 268 ms of a restart's main thread at 11k
 * pods (profiled). Reusing memory already touched leaves only the copy.
 *
 * A page's bytes are valid until the next `read`: the list decoder copies what it keeps into
 * strings and objects, so nothing outlives its page. The buffer lives as long as the list that
 * owns it (the reflector's or the rebuild's), not the process.
 */
export class PageBuffer {
  private bytes = Buffer.allocUnsafe(0);
  private length = 0;

  /** Starts a page; `expected` (a Content-Length) sizes the buffer once when known. */
  start(expected: number | undefined): void {
    this.length = 0;
    if (expected !== undefined && expected > this.bytes.length) this.bytes = Buffer.allocUnsafe(expected);
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
