// Preloaded into the controller by the memory bench (NODE_OPTIONS=--import=<this file>), never
// shipped: on SIGWINCH it writes the process's own memory breakdown to $BENCH_MEMWATCH_FILE,
// so RSS can be split into V8 heap (used / committed), external buffers and the rest.
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

const file = process.env.BENCH_MEMWATCH_FILE;
if (file) {
  process.on('SIGWINCH', () => {
    const mib = (x) => Math.round((x / 2 ** 20) * 10) / 10;
    const mem = process.memoryUsage();
    const heap = getHeapStatistics();
    const resources = {};
    for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
    const spaces = {};
    for (const s of getHeapSpaceStatistics()) spaces[s.space_name] = { usedMiB: mib(s.space_used_size), committedMiB: mib(s.physical_space_size) };
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
        activeResources: resources,
      }),
    );
  });
}
