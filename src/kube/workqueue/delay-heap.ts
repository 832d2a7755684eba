/**
 * Keys waiting for a time: a binary min-heap ordered by ready time (ties by insertion order),
 * with at most one live entry per key. Adding a key that already waits keeps the earlier of
 * the two times, as client-go's delaying queue does. Superseded entries stay in the heap and
 * are skipped when they surface, which keeps every operation O(log n).
 */
interface Entry {
  readonly key: string;
  readonly readyAt: number;
  readonly seq: number;
}

export interface DelayHeap {
  /** Schedules `key` at `readyAt` (ms since the epoch) unless it already waits for an earlier time. */
  push(key: string, readyAt: number): void;
  /** Removes and returns the keys whose time is `<= now`, earliest first. */
  popReady(now: number): string[];
  /** The earliest ready time, or `undefined` when nothing waits. */
  nextAt(): number | undefined;
  /** Number of keys waiting. */
  size(): number;
  clear(): void;
}

export function createDelayHeap(): DelayHeap {
  let heap: Entry[] = [];
  const live = new Map<string, Entry>();
  let seq = 0;
  const before = (a: Entry, b: Entry): boolean => a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
  const isLive = (entry: Entry): boolean => live.get(entry.key) === entry;

  function siftUp(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) return;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  function siftDown(index: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }

  function popTop(): Entry | undefined {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      siftDown(0);
    }
    return top;
  }

  // Drops superseded entries from the top so that `heap[0]`, if any, is live.
  function pruneTop(): void {
    while (heap.length > 0 && !isLive(heap[0]!)) popTop();
  }

  return {
    push(key, readyAt) {
      const existing = live.get(key);
      if (existing !== undefined && existing.readyAt <= readyAt) return;
      const entry = { key, readyAt, seq: seq++ };
      live.set(key, entry);
      heap.push(entry);
      siftUp(heap.length - 1);
    },
    popReady(now) {
      const ready: string[] = [];
      pruneTop();
      while (heap.length > 0 && heap[0]!.readyAt <= now) {
        const entry = popTop()!;
        live.delete(entry.key);
        ready.push(entry.key);
        pruneTop();
      }
      return ready;
    },
    nextAt() {
      pruneTop();
      return heap[0]?.readyAt;
    },
    size: () => live.size,
    clear() {
      heap = [];
      live.clear();
    },
  };
}
