#!/usr/bin/env node
// The shipped entry (dist/main.js). It gives the controller the V8 flags it is sized for, however
// it is started (`node dist/main.js`, the image, `npx kube-ovn-controller`), then loads the
// controller bundle. Imports nothing but Node built-ins (and bundles the few lines of
// health/prestart.ts), so it costs a few milliseconds to load.
import { prestartHealthWorker } from './health/prestart.js';
import type { StartSeams } from './main.js';

/**
 * V8 sizes the young generation from the machine's memory and keeps up to 3 x 16..64 MiB of it
 * committed on a large node. 16 MiB semi-spaces cut the controller's RSS at 11k pods from ~360
 * to ~255 MiB; 8 MiB cut another 13-16 MiB after a 2,200-pod burst and a restart at the same CPU
 * per pod, and 4 MiB saved nothing more for ~10% more CPU per pod (bench/RESULTS.md). Heap
 * geometry is fixed when the isolate is created (`v8.setFlagsFromString` later has no effect,
 * measured), so the flags must be on the command line: the process re-executes itself with them.
 *
 * The old space: V8 lets it grow to a multiple (up to 4x) of what survived the last full
 * collection before collecting again, and keeps that committed. Growing by 20% at most took the
 * peak through a 10k-pod burst from 206-241 to 188-190 MiB and after a restart at 11k pods from
 * 323-325 to 206-213 MiB, with CPU per pod unchanged within the runs' spread (1.20-1.33 vs
 * 1.16-1.39 ms; bench/RESULTS.md). Not allowed in NODE_OPTIONS: an operator gives it on the
 * command line.
 */
export const V8_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--heap-growing-percent=20'];

/** A flag the operator already set (command line or NODE_OPTIONS) wins over ours. */
function missingFlags(execArgv: readonly string[], nodeOptions: string): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((f) => f.split('=')[0]?.replace(/_/g, '-'));
  return V8_FLAGS.filter((f) => !given.includes(f.split('=')[0]));
}

/**
 * glibc gives each thread that mallocs its own arena (up to 8 per core), each keeping its freed
 * memory: one arena for all threads cut idle RSS 88.7 -> 85.5 MiB (bench/idle-ab, 5 rounds), with
 * no fewer probes answered under 2 back-to-back probers. Read by glibc at exec, so it travels in
 * the re-exec's environment; a value the operator set wins.
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };

const missing = missingFlags(process.execArgv, process.env.NODE_OPTIONS ?? '');
const missingEnv = Object.entries(MALLOC_ENV).filter(([k]) => process.env[k] === undefined);
const script = process.argv[1];
// execve(2) replaces this process (same pid, so PID 1 in the image keeps receiving SIGTERM): it
// costs one more Node bootstrap (~50 ms), no second process. Where it is unavailable the
// controller runs with V8's defaults rather than not at all.
if ((missing.length > 0 || missingEnv.length > 0) && script !== undefined && typeof process.execve === 'function') {
  const env = { ...process.env, ...Object.fromEntries(missingEnv) };
  process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, script, ...process.argv.slice(2)], env);
}
// Past the re-exec: this is the process that runs. The health thread boots while the controller's
// bundle loads (prestart.ts), then gets its settings from the controller.
const prestartedHealth = prestartHealthWorker(new URL('./worker.js', import.meta.url));
const controller = (await import(new URL('./controller.js', import.meta.url).href)) as { run(seams: StartSeams): void };
controller.run({ prestartedHealth });
