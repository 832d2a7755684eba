import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/** Why a real Prometheus cannot run here, or undefined when it can. Tests that need it skip loudly with this. */
export function prometheusUnavailable(): string | undefined {
  const probe = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    return 'SKIPPED LOUDLY: the `prometheus` binary is not installed (Debian package `prometheus`; .ci/run installs it as root)';
  }
  return undefined;
}

export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export interface Prometheus {
  readonly url: string;
  /** Instant PromQL query; rejects on an API error. */
  query(promql: string): Promise<PromSample[]>;
  /** Scrape targets' health as Prometheus sees it. */
  targets(): Promise<{ scrapeUrl: string; health: string; lastError: string }[]>;
  close(): Promise<void>;
}

/** How the scrape job reaches its targets; the default is plain HTTP without credentials. */
export interface ScrapeOptions {
  readonly scheme?: 'http' | 'https';
  /** `authorization.credentials_file`: a file holding the bearer token (a service-account token). */
  readonly credentialsFile?: string;
  /** `tls_config.ca_file`; without it (https) the certificate is not verified. */
  readonly caFile?: string;
  /** `tls_config.server_name`. */
  readonly serverName?: string;
}

function scrapeSettings(options: ScrapeOptions): string[] {
  const lines: string[] = [];
  if (options.scheme !== undefined) lines.push(`    scheme: ${options.scheme}`);
  if (options.credentialsFile !== undefined) lines.push('    authorization:', '      type: Bearer', `      credentials_file: '${options.credentialsFile}'`);
  if (options.scheme === 'https') {
    lines.push('    tls_config:');
    if (options.caFile !== undefined) lines.push(`      ca_file: '${options.caFile}'`);
    else lines.push('      insecure_skip_verify: true');
    if (options.serverName !== undefined) lines.push(`      server_name: '${options.serverName}'`);
  }
  return lines;
}

/**
 * Starts a real Prometheus on 127.0.0.1 with a throw-away data dir, scraping the given
 * 127.0.0.1 targets every `scrapeIntervalMs`. Stops it (SIGTERM, then SIGKILL) on close.
 */
export async function startPrometheus(targets: readonly string[], scrapeIntervalMs = 1000, scrape: ScrapeOptions = {}): Promise<Prometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'prometheus-'));
  const port = await freePort();
  const seconds = `${Math.max(1, Math.round(scrapeIntervalMs / 1000))}s`;
  const config = [
    'global:',
    `  scrape_interval: ${seconds}`,
    `  scrape_timeout: ${seconds}`,
    'scrape_configs:',
    '  - job_name: kube-ovn-controller',
    ...scrapeSettings(scrape),
    '    static_configs:',
    `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config);
  const proc: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`prometheus not ready after 20s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(url + path);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  };
  return {
    url,
    query: async (promql) => {
      const data = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`);
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    targets: async () => {
      const data = await api<{ activeTargets: { scrapeUrl: string; health: string; lastError: string }[] }>('/api/v1/targets');
      return data.activeTargets;
    },
    close: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
