import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from './render.js';

/**
 * Replays the Dockerfile's runtime image without Docker: the bundles `npm run build` emits
 * (build.mjs), package.json, and Node 24 (this process's node, as the image's base), in a
 * directory with no node_modules anywhere above it. A runtime import the bundle left unresolved,
 * or a devDependency bundled into what ships, fails here, not in the image.
 */

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: readonly string[], cwd: string, timeoutMs: number, extraEnv: Record<string, string> = {}): Promise<Run> {
  // npm's own npm_* variables (set when the suite runs under `npm test`) must not steer the children;
  // nor may an inherited NODE_OPTIONS.
  const inherited = Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') && k !== 'NODE_OPTIONS');
  const env = { ...Object.fromEntries(inherited), ...extraEnv };
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr: stderr || (err?.message ?? '') });
    });
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function jsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.js')).map((e) => join(e.parentPath, e.name));
}

/** `node_modules/a/node_modules/@b/c/x.js` -> `node_modules/a/node_modules/@b/c`, the lockfile's key. */
function lockKey(input: string): string | undefined {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return m?.[1]?.slice(m[1].indexOf('node_modules/'));
}

interface Meta {
  outputs: Record<string, { inputs: Record<string, unknown>; imports: Array<{ path: string; kind: string }> }>;
}

function setup() {
  const state = { dir: '', meta: { outputs: {} } as Meta, pkg: {} as { version: string } };
  const prepare = async (): Promise<void> => {
    state.dir = await mkdtemp(join(tmpdir(), 'prod-deps-'));
    await copyFile(join(ROOT, 'package.json'), join(state.dir, 'package.json'));
    state.pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as typeof state.pkg;
    const metafile = join(state.dir, 'meta.json');
    const built = await run(process.execPath, [join(ROOT, 'build.mjs'), '--outdir', join(state.dir, 'dist'), '--metafile', metafile], ROOT, 120_000);
    assert.equal(built.code, 0, `build.mjs failed:\n${built.stderr}`);
    state.meta = JSON.parse(await readFile(metafile, 'utf8')) as Meta;
    await rm(metafile);
  };
  return { state, prepare, cleanup: () => (state.dir ? rm(state.dir, { recursive: true, force: true }) : Promise.resolve()) };
}

describe('the runtime image contents (the bundles alone)', { timeout: 240_000 }, () => {
  const env = setup();
  before(() => env.prepare());
  after(() => env.cleanup());

  it('has no node_modules to fall back on', async () => {
    const parents = env.state.dir.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/') || '/');
    for (const p of parents) assert.equal(await exists(join(p, 'node_modules')), false, `${p}/node_modules exists: the bundle would not run alone`);
  });

  it('bundles no dev-only package, not even for types', async () => {
    const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const bundled = new Set<string>();
    for (const out of Object.values(env.state.meta.outputs)) for (const input of Object.keys(out.inputs)) {
      const key = lockKey(input);
      if (key !== undefined) bundled.add(key);
    }
    assert.ok(bundled.has('node_modules/pino'), `pino is not in the bundle (bundled: ${[...bundled].join(', ')})`);
    const devOnly = [...bundled].filter((key) => lock.packages[key]?.dev === true || lock.packages[key] === undefined);
    assert.deepEqual(devOnly, []);
  });

  it('runs dist/main.js --version and --help with Node 24 and exits 0', async () => {
    assert.match(process.version, /^v24\./, 'the suite must run on the pinned Node 24');
    const version = await run(process.execPath, ['dist/main.js', '--version'], env.state.dir, 30_000);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), `kube-ovn-controller ${env.state.pkg.version}`);
    const help = await run(process.execPath, ['dist/main.js', '--help'], env.state.dir, 30_000);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /--health-port/);
  });

  it('gives the controller its V8 flags however it is started, in place, and an operator flag wins', async () => {
    // A preload prints each Node process image's flags: the entry re-executes once with its flags.
    const show = "--import=data:text/javascript,process.stderr.write(JSON.stringify([process.pid,process.execArgv,process.env.MALLOC_ARENA_MAX??null])+'\\n')";
    const images = (r: Run) => r.stderr.trim().split('\n').map((l) => JSON.parse(l) as [number, string[], string | null]);
    const plain = await run(process.execPath, ['dist/main.js', '--version'], env.state.dir, 30_000, { NODE_OPTIONS: show });
    assert.equal(plain.code, 0, plain.stderr);
    const [first, second, ...more] = images(plain);
    assert.deepEqual(more, []);
    assert.ok(first !== undefined && second !== undefined, plain.stderr);
    assert.equal(second[0], first[0], 'the re-exec must keep the pid (execve, no child process)');
    assert.deepEqual(second[1], ['--max-semi-space-size=8', '--heap-growing-percent=20']);
    assert.equal(second[2], '1', 'glibc arenas: one for all threads, set in the re-exec environment');
    const own = await run(process.execPath, ['dist/main.js', '--version'], env.state.dir, 30_000, { NODE_OPTIONS: `${show} --max-semi-space-size=4`, MALLOC_ARENA_MAX: '4' });
    assert.equal(own.code, 0, own.stderr);
    assert.deepEqual(images(own).map(([, flags, arenas]) => [flags, arenas]), [[[], '4'], [['--heap-growing-percent=20'], '4']], 'an operator-given --max-semi-space-size and MALLOC_ARENA_MAX must not be overridden (the re-exec adds only the missing flag)');
    const flagOnly = await run(process.execPath, ['dist/main.js', '--version'], env.state.dir, 30_000, { NODE_OPTIONS: `${show} --max-semi-space-size=4` });
    assert.deepEqual(images(flagOnly).map(([, flags, arenas]) => [flags, arenas]), [[[], null], [['--heap-growing-percent=20'], '1']], 'the operator\'s flag kept; the re-exec adds only what is missing');
    const allGiven = await run(process.execPath, ['--heap-growing-percent=50', 'dist/main.js', '--version'], env.state.dir, 30_000, { NODE_OPTIONS: `${show} --max-semi-space-size=4`, MALLOC_ARENA_MAX: '4' });
    assert.deepEqual(images(allGiven).map(([, flags, arenas]) => [flags, arenas]), [[['--heap-growing-percent=50'], '4']], 'every setting given by the operator: no re-exec');
  });

  it('leaves only Node built-ins and its own files to import at run time, dynamic imports included', async () => {
    const shipped = (await jsFiles(join(env.state.dir, 'dist'))).map((f) => f.slice(env.state.dir.length + 1)).sort();
    assert.deepEqual(shipped, ['dist/certificates.js', 'dist/controller.js', 'dist/main.js', 'dist/worker.js']);
    // esbuild's own record of what each output still imports (text scans of a bundle match
    // import examples inside bundled doc comments).
    const offenders: string[] = [];
    for (const [out, o] of Object.entries(env.state.meta.outputs)) {
      if (!out.endsWith('.js')) continue;
      for (const i of o.imports) if (!(isBuiltin(i.path) || (out.endsWith('/main.js') && i.path === './controller.js'))) offenders.push(`${out}: ${i.path} (${i.kind})`);
    }
    assert.deepEqual(offenders, []);
    // Loading only what runs: the self-signed certificate code is its own bundle, which the
    // controller imports by URL only when `--secure-serving` makes a certificate.
    const inputsOf = (name: string) => Object.keys(Object.entries(env.state.meta.outputs).find(([out]) => basename(out) === name)?.[1].inputs ?? {});
    assert.ok(inputsOf('certificates.js').some((i) => i.includes('@peculiar/x509')), 'dist/certificates.js bundles @peculiar/x509');
    for (const name of ['controller.js', 'worker.js']) assert.deepEqual(inputsOf(name).filter((i) => /@peculiar|asn1js|reflect-metadata|tsyringe/.test(i)), [], `${name} must not carry the certificate code`);
  });
});
