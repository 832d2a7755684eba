// `npm run demo` as a person runs it: when npm itself is killed (here with SIGKILL, which npm cannot
// pass on), every process it started — shell, tsx, the demo, guard, controller — is gone shortly after.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** pid -> [ppid, command line] for every process we can read. */
async function processTable(): Promise<Map<number, [number, string]>> {
  const out = new Map<number, [number, string]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim();
      out.set(Number(entry), [ppid, cmd]);
    } catch {
      // Exited while we read.
    }
  }
  return out;
}

async function descendants(root: number): Promise<Array<[number, string]>> {
  const table = await processTable();
  const out: Array<[number, string]> = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.pop();
    for (const [pid, [ppid, cmd]] of table) {
      if (ppid !== parent) continue;
      out.push([pid, cmd]);
      queue.push(pid);
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run demo', () => {
  test('leaves no process behind when npm is killed', { timeout: 150_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-test-'));
    const npm = spawn('npm', ['run', 'demo'], { cwd: ROOT, env: { ...process.env, DEMO_DIR: `${dir}/` }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout.on('data', (c: Buffer) => (output += c.toString()));
    npm.stderr.on('data', (c: Buffer) => (output += c.toString()));
    let started: Array<[number, string]> = [];
    try {
      const deadline = Date.now() + 120_000;
      while (!output.includes('Try it')) {
        assert.ok(Date.now() < deadline && npm.exitCode === null, `the demo did not come up:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.match(output, /kubectl create ns play/);
      assert.match(output, /ovn\.kubernetes\.io\/ip_address=10\.66\.0\.50/);
      started = await descendants(npm.pid ?? -1);
      assert.ok(started.some(([, cmd]) => cmd.includes('dist/main.js')), `the controller runs under npm: ${JSON.stringify(started)}`);
      npm.kill('SIGKILL');
      const gone = Date.now() + 20_000;
      while (started.some(([pid]) => alive(pid)) && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
      const survivors = started.filter(([pid]) => alive(pid));
      assert.deepEqual(survivors, [], 'every process npm started has exited');
    } finally {
      for (const [pid] of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
      if (npm.exitCode === null) npm.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
