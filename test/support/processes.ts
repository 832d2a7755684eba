// Child processes that must not outlive the process that started them, however it ends (Ctrl-C,
// SIGTERM, or SIGKILL of a parent). Each child runs under a tiny guard node process that holds a
// pipe from us on its stdin: when we die the pipe closes and the guard stops its child. Used by
// the demo (the controller; a local OVN later).
import { spawn } from 'node:child_process';
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The guard, run with `node -e`: spawns argv, forwards a signal name written to its stdin, and on
 * stdin EOF (its parent gone) sends SIGTERM; SIGKILL after `GUARD_GRACE_MS`. Exits with the child.
 */
const GUARD = `
const { spawn } = require('node:child_process');
const [cmd, ...args] = process.argv.slice(1);
const grace = Number(process.env.GUARD_GRACE_MS || 10000);
const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;
const stop = (sig) => {
  if (stopping) { child.kill('SIGKILL'); return; }
  stopping = true;
  child.kill(sig);
  setTimeout(() => child.kill('SIGKILL'), grace).unref();
};
process.stdin.on('data', (d) => { for (const s of d.toString().split('\\n')) if (/^SIG[A-Z]+$/.test(s)) stop(s); });
process.stdin.on('end', () => stop('SIGTERM'));
process.stdin.on('error', () => stop('SIGTERM'));
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => stop('SIGTERM'));
child.on('error', (err) => { process.stderr.write('guard: ' + cmd + ': ' + err.message + '\\n'); process.exit(127); });
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 1)));
`;

export interface GuardedChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the exit code once the guard (and so the child) is gone. */
  readonly exited: Promise<number>;
}

export interface SpawnOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** stdout/stderr of the child: inherited (default) or piped for the caller to read. */
  readonly output?: 'inherit' | 'pipe';
  /** SIGTERM-to-SIGKILL grace, ms. Default 10000. */
  readonly graceMs?: number;
}

/** A set of guarded children stopped together. */
export class ChildGroup {
  private readonly children: GuardedChild[] = [];

  spawn(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): GuardedChild {
    const out = options.output ?? 'inherit';
    const stdio: StdioOptions = ['pipe', out, out];
    // Its own process group: a terminal's Ctrl-C reaches only us, and we forward ONE signal
    // (the controller treats a second signal as "exit at once").
    const proc = spawn(process.execPath, ['-e', GUARD, command, ...args], {
      stdio,
      detached: true,
      env: { ...(options.env ?? process.env), GUARD_GRACE_MS: String(options.graceMs ?? 10_000) },
    });
    const exited = new Promise<number>((resolve) => proc.once('exit', (code) => resolve(code ?? 1)));
    const child = { name, process: proc, exited };
    this.children.push(child);
    return child;
  }

  /** Asks every child to stop with `signal` and waits for all of them. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    for (const c of this.children) {
      if (c.process.exitCode === null && c.process.stdin?.writable === true) c.process.stdin.write(`${signal}\n`);
    }
    await Promise.all(this.children.map((c) => c.exited));
  }

  /** Last resort (process `exit` handler): kills every guard's group at once, synchronously. */
  killNow(): void {
    for (const c of this.children) {
      if (c.process.exitCode !== null || c.process.pid === undefined) continue;
      try {
        process.kill(-c.process.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** This process's ancestors, nearest first, up to (not including) init. */
export function ancestors(pid = process.pid): number[] {
  const out: number[] = [];
  for (let p = parentOf(pid); p !== undefined && p > 1 && out.length < 64; p = parentOf(p)) out.push(p);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Calls `onGone` once when any ancestor alive now has exited (e.g. `npm run demo` killed: npm
 * does not pass a SIGKILL on, and its shell may not pass a SIGTERM on). Returns a stop function.
 */
export function onAncestorExit(onGone: () => void, intervalMs = 500): () => void {
  const watched = ancestors();
  const timer = setInterval(() => {
    if (watched.every(alive)) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
