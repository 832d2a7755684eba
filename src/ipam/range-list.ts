/**
 * A sorted list of disjoint, non-adjacent inclusive ranges of `bigint` addresses.
 * Memory is proportional to the number of ranges, never to the number of addresses:
 * a /8 and a /64 that are entirely free are both one range.
 */

/** An inclusive range `[start, end]`. */
export type Range = readonly [start: bigint, end: bigint];

export class RangeList {
  // Parallel arrays; `head` skips ranges consumed from the front so taking the lowest
  // address stays O(1) even when the list is fragmented (e.g. a reused released list).
  private starts: bigint[];
  private ends: bigint[];
  private head = 0;

  private constructor(starts: bigint[], ends: bigint[]) {
    this.starts = starts;
    this.ends = ends;
  }

  /** An empty list. */
  static empty(): RangeList {
    return new RangeList([], []);
  }

  /** Builds a list from ranges in any order; overlapping/adjacent ones merge, inverted ones are dropped. */
  static of(ranges: Iterable<Range>): RangeList {
    const sorted = [...ranges].filter(([s, e]) => s <= e).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const starts: bigint[] = [];
    const ends: bigint[] = [];
    for (const [s, e] of sorted) {
      const last = ends.length - 1;
      if (last >= 0 && s <= (ends[last] as bigint) + 1n) {
        if (e > (ends[last] as bigint)) ends[last] = e;
      } else {
        starts.push(s);
        ends.push(e);
      }
    }
    return new RangeList(starts, ends);
  }

  /** Number of ranges (a measure of memory, not of addresses). */
  get rangeCount(): number {
    return this.starts.length - this.head;
  }

  isEmpty(): boolean {
    return this.head === this.starts.length;
  }

  /** Removes and returns the lowest address, or `undefined` when empty. O(1). */
  takeFirst(): bigint | undefined {
    const h = this.head;
    if (h === this.starts.length) return undefined;
    const v = this.starts[h] as bigint;
    if (v === this.ends[h]) this.head = h + 1;
    else this.starts[h] = v + 1n;
    return v;
  }

  /** The lowest range, or `undefined` when empty. */
  firstRange(): Range | undefined {
    const h = this.head;
    return h === this.starts.length ? undefined : [this.starts[h] as bigint, this.ends[h] as bigint];
  }

  /** Removes `[first, end]` from the front; `end` must lie within the first range. */
  dropFrontThrough(end: bigint): void {
    const h = this.head;
    if (end >= (this.ends[h] as bigint)) this.head = h + 1;
    else this.starts[h] = end + 1n;
  }

  /** Inserts `[start, end]` below every range in the list (merging when adjacent). */
  prepend(start: bigint, end: bigint): void {
    const h = this.head;
    if (h < this.starts.length && (this.starts[h] as bigint) === end + 1n) {
      this.starts[h] = start;
    } else if (h > 0) {
      this.head = h - 1;
      this.starts[h - 1] = start;
      this.ends[h - 1] = end;
    } else {
      this.starts.unshift(start);
      this.ends.unshift(end);
    }
  }

  private compact(): void {
    if (this.head === 0) return;
    this.starts.splice(0, this.head);
    this.ends.splice(0, this.head);
    this.head = 0;
  }

  /** Index of the first range whose end is >= value (binary search); may equal length. */
  private lowerBound(value: bigint): number {
    let lo = this.head;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ends[mid] as bigint) < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  contains(value: bigint): boolean {
    const i = this.lowerBound(value);
    return i < this.starts.length && (this.starts[i] as bigint) <= value;
  }

  /** Removes one address; false when it was not in the list. */
  remove(value: bigint): boolean {
    this.compact();
    const i = this.lowerBound(value);
    const s = this.starts[i];
    const e = this.ends[i];
    if (s === undefined || e === undefined || s > value) return false;
    if (s === e) {
      this.starts.splice(i, 1);
      this.ends.splice(i, 1);
    } else if (value === s) {
      this.starts[i] = s + 1n;
    } else if (value === e) {
      this.ends[i] = e - 1n;
    } else {
      this.starts.splice(i + 1, 0, value + 1n);
      this.ends.splice(i, 0, value - 1n);
    }
    return true;
  }

  /** Adds one address, merging with neighbours; false when it was already present. */
  add(value: bigint): boolean {
    this.compact();
    const i = this.lowerBound(value);
    if (i < this.starts.length && (this.starts[i] as bigint) <= value) return false;
    const joinsPrev = i > 0 && (this.ends[i - 1] as bigint) + 1n === value;
    const joinsNext = i < this.starts.length && (this.starts[i] as bigint) - 1n === value;
    if (joinsPrev && joinsNext) {
      this.ends[i - 1] = this.ends[i] as bigint;
      this.starts.splice(i, 1);
      this.ends.splice(i, 1);
    } else if (joinsPrev) {
      this.ends[i - 1] = value;
    } else if (joinsNext) {
      this.starts[i] = value;
    } else {
      this.starts.splice(i, 0, value);
      this.ends.splice(i, 0, value);
    }
    return true;
  }

  /** Number of addresses in the list. */
  count(): bigint {
    let n = 0n;
    for (let i = this.head; i < this.starts.length; i++) n += (this.ends[i] as bigint) - (this.starts[i] as bigint) + 1n;
    return n;
  }

  *ranges(): Generator<Range> {
    for (let i = this.head; i < this.starts.length; i++) yield [this.starts[i] as bigint, this.ends[i] as bigint];
  }

  union(other: RangeList): RangeList {
    return RangeList.of([...this.ranges(), ...other.ranges()]);
  }

  /** Addresses in this list and not in `other`. O(n + m). */
  subtract(other: RangeList): RangeList {
    const out: Range[] = [];
    const b = [...other.ranges()];
    let j = 0;
    for (const [start, end] of this.ranges()) {
      let s = start;
      while (j < b.length && (b[j] as Range)[1] < s) j++;
      let k = j;
      while (s <= end && k < b.length && (b[k] as Range)[0] <= end) {
        const [bs, be] = b[k] as Range;
        if (bs > s) out.push([s, bs - 1n]);
        s = be + 1n;
        k++;
      }
      if (s <= end) out.push([s, end]);
    }
    return RangeList.of(out);
  }

  intersect(other: RangeList): RangeList {
    return this.subtract(this.subtract(other));
  }

  /** Kube-OVN's range text: `a-b` for ranges, `a` for single addresses, comma separated. */
  format(formatAddress: (value: bigint) => string): string {
    const parts: string[] = [];
    for (const [s, e] of this.ranges()) parts.push(s === e ? formatAddress(s) : `${formatAddress(s)}-${formatAddress(e)}`);
    return parts.join(',');
  }
}
