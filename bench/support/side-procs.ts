// Side processes of the probe-latency figure: the prober and the floor server (a raw
// node:http server answering `ok`), each its own process so neither shares an event loop
// with the load generator or the controller.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROBER = fileURLToPath(new URL('./prober.ts', import.meta.url));

const FLOOR_SERVER = [
  "const http = require('node:http');",
  "const s = http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }); res.end('ok'); });",
  "s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));",
  "process.stdin.resume(); process.stdin.on('end', () => process.exit(0));",
].join('\n');

function firstLine(proc: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('side process gave no output')), timeoutMs);
    proc.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`side process exited with ${code}`));
    });
  });
}

export interface FloorServer {
  readonly port: number;
  close(): void;
}

export async function startFloorServer(): Promise<FloorServer> {
  const proc = spawn(process.execPath, ['-e', FLOOR_SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = Number(await firstLine(proc, 10_000));
  return { port, close: () => proc.stdin?.end() };
}

export interface ProbeTarget {
  readonly name: string;
  readonly port: number;
  readonly path: string;
}

export interface Prober {
  /** Stops probing and resolves with `{name: {count,p50,p99,max,mean,failures}}`. */
  stop(): Promise<Record<string, unknown>>;
}

/** Starts probing `targets` every `intervalMs` each, from a separate process; resolves once it probes. */
export async function startProber(targets: readonly ProbeTarget[], intervalMs: number): Promise<Prober> {
  const proc = spawn(process.execPath, ['--import', 'tsx', PROBER, JSON.stringify(targets), String(intervalMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  while (!out.includes('ready\n')) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error('prober did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    stop: async () => {
      proc.stdin?.end();
      await exited;
      const last = out.trim().split('\n').pop() ?? '{}';
      return JSON.parse(last) as Record<string, unknown>;
    },
  };
}
