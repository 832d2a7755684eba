// Processes the end-to-end benches start: the local API server (its CLI, in its own process so
// its CPU is measured apart from the load generator) and the BUILT controller. Every start
// returns a close() that the bench awaits in `finally`.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnController } from '../../test/support/controller-process.js';
import type { ControllerProcess } from '../../test/support/controller-process.js';
import { CRD_FILES } from '../../test/support/kube-env.js';
import { probe } from '../../test/support/kubelet.js';
import { freePort } from '../../test/support/ports.js';

const CLI = fileURLToPath(new URL('../../test/support/apiserver/cli.ts', import.meta.url));
const MEMWATCH = fileURLToPath(new URL('./memwatch.mjs', import.meta.url));
const CLK_TCK = 100;

/** The name and utime+stime (seconds) of a /proc `stat` line: a process's or one of its threads'. */
function statCpu(path: string): { name: string; seconds: number } {
  const stat = readFileSync(path, 'utf8');
  // The name is in parentheses and may hold spaces; the fields count from after it.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, close), seconds: (Number(fields[11]) + Number(fields[12])) / CLK_TCK };
}

/** utime+stime of a process in seconds, from /proc (0 once it is gone). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return statCpu(`/proc/${pid}/stat`).seconds;
  } catch {
    return 0;
  }
}

/** utime+stime in seconds by thread name (`MainThread`, `V8Worker`, `health`, ...), summed over threads of one name. */
export function threadCpuSeconds(pid: number | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (pid === undefined) return out;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const task of tasks) {
    try {
      const { name, seconds } = statCpu(`/proc/${pid}/task/${task}/stat`);
      out[name] = (out[name] ?? 0) + seconds;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

function statusKiB(pid: number | undefined, field: string): number {
  if (pid === undefined) return 0;
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** VmRSS (resident now) in KiB, from /proc; 0 once the process is gone. */
export function rssKiB(pid: number | undefined): number {
  return statusKiB(pid, 'VmRSS');
}

/** VmHWM (peak resident) in KiB, from /proc. */
export function hwmKiB(pid: number | undefined): number {
  return statusKiB(pid, 'VmHWM');
}

/** Resets VmHWM to the current RSS (Linux `clear_refs` 5), so a later peak covers only what follows. */
export function resetHwm(pid: number | undefined): void {
  if (pid !== undefined) writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

function stopChild(proc: ChildProcess, graceMs: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

export interface ApiServerProcess {
  readonly url: string;
  readonly kubeconfig: string;
  readonly pid: number | undefined;
  close(): Promise<void>;
}

/**
 * The API server double's CLI on 127.0.0.1 with Kube-OVN's CRDs. `cpuProfDir` adds
 * `--cpu-prof` (the profile is written when it exits on SIGTERM).
 */
export async function startApiServerProcess(options: { cpuProfDir?: string; history?: number } = {}): Promise<ApiServerProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-api-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const prof = options.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(options.cpuProfDir, 'apiserver')}`];
  const args = [...prof, '--import', 'tsx', CLI, '--port', '0', '--kubeconfig-out', kubeconfig, '--history', String(options.history ?? 10_000)];
  for (const crd of CRD_FILES) args.push('--crd', crd);
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp' } });
  let err = '';
  proc.stderr?.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`apiserver did not start in 30s: ${err}`)), 30_000);
    proc.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const line = out.split('\n').find((l) => l.startsWith('http://127.0.0.1:'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    proc.once('exit', (code) => reject(new Error(`apiserver exited with ${code}: ${err}`)));
  });
  return {
    url,
    kubeconfig,
    pid: proc.pid,
    close: async () => {
      await stopChild(proc, 10_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Asks a controller started with `memwatchFile` for its memory breakdown (see memwatch.mjs). */
export async function memoryBreakdown(c: Controller, file: string): Promise<Record<string, unknown> | null> {
  await rm(file, { force: true });
  c.ctl.kill('SIGWINCH');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      // not written yet
    }
  }
  return null;
}

export interface Controller {
  readonly ctl: ControllerProcess;
  readonly healthPort: number;
  readonly metricsPort: number;
  /** Wall ms from spawn to the first 200 on /readyz (polled every 10 ms). */
  readonly readyMs: number;
  /** Date.now() at spawn, to place log lines (`time`, epoch ms) on the same axis. */
  readonly spawnedAt: number;
  close(): Promise<void>;
}

export interface ControllerOptions {
  readonly kubeconfig: string;
  readonly name: string;
  readonly workers?: number;
  readonly cpuProfDir?: string;
  /** Where `kill -USR2` writes a heap snapshot (--heapsnapshot-signal); unset: not armed. */
  readonly heapDir?: string;
  /** Extra Node.js flags for the controller (NODE_OPTIONS), e.g. `--max-semi-space-size=8`. */
  readonly nodeOptions?: string;
  /** Preload bench/support/memwatch.mjs, which writes a memory breakdown here on SIGWINCH. */
  readonly memwatchFile?: string;
  /** Default `prometheus` (on a free 127.0.0.1 port). */
  readonly exporter?: 'prometheus' | 'none';
  /** The entry to run; default dist/main.js. A/B benches pass a baseline build's entry. */
  readonly entry?: string;
  /** More controller flags (e.g. `--ovn-nb-addr=...`). */
  readonly args?: readonly string[];
}

/** Spawns the built controller (dist/main.js) and waits until /readyz answers 200. */
export async function startController(o: ControllerOptions): Promise<Controller> {
  const healthPort = await freePort();
  const metricsPort = await freePort();
  const exporter = o.exporter ?? 'prometheus';
  const env: Record<string, string> = {
    KUBECONFIG: o.kubeconfig,
    POD_NAMESPACE: 'kube-system',
    POD_NAME: o.name,
    NODE_NAME: 'node-1',
    HEALTH_PORT: String(healthPort),
    HEALTH_BIND_ADDRESS: '127.0.0.1',
    OTEL_METRICS_EXPORTER: exporter,
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
    LOG_LEVEL: 'info',
  };
  const nodeOptions: string[] = o.nodeOptions === undefined || o.nodeOptions === '' ? [] : [o.nodeOptions];
  if (o.cpuProfDir !== undefined) nodeOptions.push('--cpu-prof', `--cpu-prof-dir=${join(o.cpuProfDir, o.name)}`);
  if (o.heapDir !== undefined) nodeOptions.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${o.heapDir}`);
  if (o.memwatchFile !== undefined) {
    nodeOptions.push(`--import=${MEMWATCH}`);
    env['BENCH_MEMWATCH_FILE'] = o.memwatchFile;
  }
  if (nodeOptions.length > 0) env['NODE_OPTIONS'] = nodeOptions.join(' ');
  const started = performance.now();
  const spawnedAt = Date.now();
  // Shorter than the product's 30/20/6 s so a takeover after a kill is quick, but not so short
  // that a leader loses its lease on a loaded 2-core machine: with 3/2/0.5 s a realistic-pod
  // burst at load 8-10 made the leader miss its renew deadline and exit.
  const ctl = spawnController({
    ...(o.entry === undefined ? {} : { entry: o.entry }),
    args: ['--leader-elect-lease-duration=10s', '--leader-elect-renew-deadline=7s', '--leader-elect-retry-period=1s', `--worker-num=${o.workers ?? 3}`, ...(o.args ?? [])],
    env,
  });
  const readyMs = await waitReady(ctl, healthPort, started);
  return {
    ctl,
    healthPort,
    metricsPort,
    readyMs,
    spawnedAt,
    close: () => stopChild(ctl.proc, 15_000),
  };
}

async function waitReady(ctl: ControllerProcess, port: number, started: number): Promise<number> {
  const deadline = started + 120_000;
  for (;;) {
    if (ctl.proc.exitCode !== null) throw new Error(`controller exited with ${ctl.proc.exitCode}: ${ctl.stderr().slice(-2000)} ${ctl.logs.slice(-6).map((l) => JSON.stringify(l).slice(0, 400)).join('\n')}`);
    try {
      if ((await probe(port, '/readyz', { timeoutMs: 1000 })).status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      ctl.kill('SIGKILL');
      throw new Error('controller not ready within 120s');
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
