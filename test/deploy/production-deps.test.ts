import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from './render.js';

/**
 * Replays the Dockerfile's runtime image without Docker: production dependencies only
 * (`npm ci --omit=dev`), a freshly compiled dist/, package.json, and Node 24 (this process's
 * node, as the image's base). A runtime import of a devDependency fails here, not in the image.
 */

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<Run> {
  // npm's own npm_* variables (set when the suite runs under `npm test`) must not steer the child npm.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr: stderr || (err?.message ?? '') });
    });
  });
}

const NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network|socket hang up/i;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function jsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.js')).map((e) => join(e.parentPath, e.name));
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? specifier);
}

function setup() {
  const state = { dir: '', skip: '' as string, pkg: {} as { version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> } };
  const prepare = async (): Promise<void> => {
    state.dir = await mkdtemp(join(tmpdir(), 'prod-deps-'));
    for (const f of ['package.json', 'package-lock.json']) await copyFile(join(ROOT, f), join(state.dir, f));
    state.pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as typeof state.pkg;
    const tsc = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json'), '--outDir', join(state.dir, 'dist')], ROOT, 120_000);
    // Type errors elsewhere in the tree are the typecheck's business; what matters here is the emitted JS.
    if (tsc.code !== 0) process.stderr.write(`production-deps: tsc reported errors (JS still emitted):\n${tsc.stdout.slice(0, 2000)}\n`);
    const ci = await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], state.dir, 120_000);
    if (ci.code !== 0 && NETWORK.test(ci.stderr)) {
      state.skip = `SKIPPED: npm ci --omit=dev could not reach the registry (${ci.stderr.split('\n').find((l) => NETWORK.test(l)) ?? ''}); production dependencies are unchecked`;
      process.stderr.write(`\n*** ${state.skip} ***\n`);
      return;
    }
    assert.equal(ci.code, 0, `npm ci --omit=dev failed:\n${ci.stderr}`);
  };
  return { state, prepare, cleanup: () => (state.dir ? rm(state.dir, { recursive: true, force: true }) : Promise.resolve()) };
}

describe('the runtime image contents (production dependencies only)', { timeout: 240_000 }, () => {
  const env = setup();
  before(() => env.prepare());
  after(() => env.cleanup());

  it('installs no dev-only package, not even the pinned node binary', async (t) => {
    if (env.state.skip) return t.skip(env.state.skip);
    // Some devDependencies are also production dependencies of others (@types/node comes with
    // @kubernetes/client-node), so the lockfile's `dev` flag says what must be absent.
    const lock = JSON.parse(await readFile(join(env.state.dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => path !== '' && p.dev === true).map(([path]) => path);
    assert.ok(devOnly.includes('node_modules/node'), 'the lockfile no longer marks the node package dev-only');
    const present: string[] = [];
    for (const path of devOnly) if (await exists(join(env.state.dir, path))) present.push(path);
    assert.deepEqual(present, []);
    for (const dep of Object.keys(env.state.pkg.dependencies)) assert.equal(await exists(join(env.state.dir, 'node_modules', dep, 'package.json')), true, `${dep} is missing`);
    assert.equal(await exists(join(env.state.dir, 'node_modules', '.bin', 'node')), false);
  });

  it('runs dist/main.js --version and --help with Node 24 and exits 0', async (t) => {
    if (env.state.skip) return t.skip(env.state.skip);
    assert.match(process.version, /^v24\./, 'the suite must run on the pinned Node 24');
    const version = await run(process.execPath, ['dist/main.js', '--version'], env.state.dir, 30_000);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), `kube-ovn-controller ${env.state.pkg.version}`);
    const help = await run(process.execPath, ['dist/main.js', '--help'], env.state.dir, 30_000);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /--health-port/);
  });

  it('imports only Node built-ins and production dependencies anywhere in dist/, dynamic imports included', async (t) => {
    if (env.state.skip) return t.skip(env.state.skip);
    const allowed = new Set(Object.keys(env.state.pkg.dependencies));
    const offenders: string[] = [];
    const files = await jsFiles(join(env.state.dir, 'dist'));
    assert.ok(files.length > 10, `only ${files.length} files in dist/`);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g)) {
        const spec = m[1] ?? '';
        if (spec.startsWith('.') || spec.startsWith('/') || isBuiltin(spec)) continue;
        if (!allowed.has(packageOf(spec))) offenders.push(`${file.slice(env.state.dir.length + 1)}: ${spec}`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});
