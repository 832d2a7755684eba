import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the controller from source (tsx) with only the given environment; bounded so a hang fails the test. */
function runMain(args: readonly string[], env: Record<string, string> = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`main did not exit within 20s; stderr: ${stderr}`));
    }, 20_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the process exit paths for configuration', () => {
  const bad: [readonly string[], Record<string, string>, string][] = [
    [['--metrics-port=abc'], {}, 'kube-ovn-controller: --metrics-port: expected a port 1-65535, got `abc`\n'],
    [[], { ENABLE_METRICS: 'false', OTEL_METRICS_EXPORTER: 'otlp' }, 'kube-ovn-controller: ENABLE_METRICS: `false` disables metrics but OTEL_METRICS_EXPORTER is `otlp`; remove one of them or set OTEL_METRICS_EXPORTER to `none`\n'],
  ];
  for (const [args, env, line] of bad) {
    it(`exits 2 with one line on stderr for ${JSON.stringify({ args, env })}`, async () => {
      const exit = await runMain(args, env);
      assert.deepEqual(exit, { code: 2, stdout: '', stderr: line });
    });
  }

  it('prints help on stdout and exits 0 without a cluster', async () => {
    const exit = await runMain(['--help']);
    assert.equal(exit.code, 0);
    assert.match(exit.stdout, /--health-port <port>, \$HEALTH_PORT/);
    assert.equal(exit.stderr, '');
  });

  it('prints the version on stdout and exits 0', async () => {
    const exit = await runMain(['--version']);
    assert.equal(exit.code, 0);
    assert.match(exit.stdout, /^kube-ovn-controller \d+\.\d+\.\d+\n$/);
  });
});
