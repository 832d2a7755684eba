// Preloaded into the controller by the memory bench (NODE_OPTIONS=--import=<this file>), never
// shipped: on SIGWINCH it writes the process's own memory breakdown to $BENCH_MEMWATCH_FILE,
// so RSS can be split into V8 heap (used / committed), external buffers and the rest, and the
// heap of each worker thread (the health worker) apart from the main thread's.
import { writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import workerThreads from 'node:worker_threads';

const file = process.env.BENCH_MEMWATCH_FILE;
const mib = (x) => Math.round((x / 2 ** 20) * 10) / 10;
const workers = new Set();

if (file) {
  // Every Worker the controller creates is remembered, so its heap can be asked for.
  const Original = workerThreads.Worker;
  workerThreads.Worker = class extends Original {
    constructor(...args) {
      super(...args);
      workers.add(this);
      this.once('exit', () => workers.delete(this));
    }
  };
  syncBuiltinESMExports();
  process.on('SIGWINCH', () => void report());
}

async function report() {
  const mem = process.memoryUsage();
  const heap = getHeapStatistics();
  const resources = {};
  for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
  const spaces = {};
  for (const s of getHeapSpaceStatistics()) spaces[s.space_name] = { usedMiB: mib(s.space_used_size), committedMiB: mib(s.physical_space_size) };
  const workerHeaps = [];
  for (const w of workers) {
    const h = await w.getHeapStatistics().catch(() => undefined);
    if (h !== undefined) workerHeaps.push({ threadId: w.threadId, usedMiB: mib(h.used_heap_size), committedMiB: mib(h.total_physical_size), limitMiB: mib(h.heap_size_limit) });
  }
  writeFileSync(
    file,
    JSON.stringify({
      rssMiB: mib(mem.rss),
      heapUsedMiB: mib(mem.heapUsed),
      heapCommittedMiB: mib(heap.total_physical_size),
      externalMiB: mib(mem.external),
      arrayBuffersMiB: mib(mem.arrayBuffers),
      mallocedMiB: mib(heap.malloced_memory),
      peakMallocedMiB: mib(heap.peak_malloced_memory),
      spaces,
      workers: workerHeaps,
      activeResources: resources,
    }),
  );
}
