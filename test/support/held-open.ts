import { after } from 'node:test';

/**
 * Fails a test file, loudly, whose process is still alive `ms` after its last hook: something it
 * started (a socket, a timer, a child's pipe) holds the event loop, and without this the runner
 * waits for it forever (CI once sat 14 minutes on such a file after its tests had failed). The
 * timer is unref'd, so a file that exits normally never waits for it; by the time it fires every
 * result has long been reported, which `--test-force-exit` could not promise.
 */
export function failIfHeldOpen(file: string, ms = 30_000): void {
  after(() => {
    const timer = setTimeout(() => {
      process.stderr.write(`\n*** ${file}: still running ${ms} ms after its last test; holding it open: ${process.getActiveResourcesInfo().join(', ')} ***\n`);
      process.exit(1);
    }, ms);
    timer.unref();
  });
}
