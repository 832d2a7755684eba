import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built entry point, as the Deployment runs it (`node dist/main.js`). */
export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/**
 * Lease timing for tests that run a burst against the API server double: a SIGKILLed leader is
 * replaced within ~8 s. Shorter (3 s lease, 2 s renew deadline) lost the Lease mid-burst on a
 * loaded 2-core machine: the double runs in the test process, and with three suites at once a
 * renewal took over 2 s to be answered, so the controller exited, as a client-go controller
 * must, and nothing restarted it (seen as "pods stop being routed" in ovn-network.test.ts).
 */
export const BURST_LEASE_ARGS: readonly string[] = ['--leader-elect-lease-duration=8s', '--leader-elect-renew-deadline=6s', '--leader-elect-retry-period=1s'];

export interface ControllerProcess {
  readonly proc: ChildProcess;
  /** Parsed JSON log lines from stdout so far. */
  readonly logs: Record<string, unknown>[];
  /** Raw stdout lines that were not JSON (should stay empty). */
  readonly stray: string[];
  stderr(): string;
  /** Resolves with the exit code (or signal name) within the bound, else rejects. */
  exited(timeoutMs: number): Promise<number | string>;
  /** Resident set size in KiB, from /proc. */
  rssKiB(): number;
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnOptions {
  args?: readonly string[];
  /** The entry to run; default `MAIN`. Benches pass another build's entry to compare two builds. */
  entry?: string;
  env?: Record<string, string>;
}

/** Spawns the built controller with a minimal environment (nothing inherited but PATH/HOME). */
export function spawnController(options: SpawnOptions = {}): ControllerProcess {
  const proc = spawn(process.execPath, [options.entry ?? MAIN, ...(options.args ?? [])], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stray: string[] = [];
  let err = '';
  let partial = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        stray.push(line);
      }
    }
  });
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    proc,
    logs,
    stray,
    stderr: () => err,
    exited: (timeoutMs) =>
      Promise.race([
        exit,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs}ms`)), timeoutMs).unref()),
      ]),
    rssKiB: () => {
      const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    },
    kill: (signal = 'SIGTERM') => {
      proc.kill(signal);
    },
  };
}

/** Log lines whose `msg` matches. */
export function logsMatching(logs: readonly Record<string, unknown>[], pattern: RegExp): Record<string, unknown>[] {
  return logs.filter((l) => typeof l.msg === 'string' && pattern.test(l.msg));
}
