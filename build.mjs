// `npm run build`: type-checks with tsc (no emit), then bundles what ships with esbuild:
//   dist/main.js        the entry: V8 flags, then loads the controller (src/launch.ts)
//   dist/controller.js  the controller and every production dependency it runs (src/main.ts)
//   dist/worker.js      the health worker thread, its own small graph (src/health/worker.ts)
//   dist/certificates.js  self-signed certificates, loaded only with --secure-serving
// A bundle loads only code that runs: client-node is used for `KubeConfig` alone, and its
// generated API (600 KB) and undici (1.4 MB, for the fetch path we do not take) were most of
// the start time and of the idle heap. Nothing under node_modules is needed at run time.
//
// Usage: node build.mjs [--outdir DIR] [--metafile FILE]
import { realpathSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const ROOT = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { outdir: { type: 'string' }, metafile: { type: 'string' } } });
const outdir = resolve(values.outdir ?? join(ROOT, 'dist'));
// Built beside the output and moved in file by file (rename is atomic): a process starting from
// dist/ while a build runs (tests spawn the controller while the demo test rebuilds) never sees
// a missing or half-written file.
const stage = `${outdir}.stage-${process.pid}`;
// Real path: node_modules may be a symlink, and esbuild names importers by their real path.
const CLIENT_NODE = realpathSync(join(ROOT, 'node_modules/@kubernetes/client-node/dist'));

/**
 * client-node's package root re-exports its whole generated API; `config.js` is where
 * `KubeConfig` lives. Importing anything else from the package fails the build here ("No
 * matching export"), which is the point: a second use must be a decision, not an accident.
 * Inside config.js two imports serve only paths we never call, `makeApiClient` (the generated
 * API) and `createDispatcher` (undici, for fetch): they become stubs that throw if ever reached.
 */
const kubeConfigOnly = {
  name: 'client-node-kubeconfig-only',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: join(CLIENT_NODE, 'config.js') }));
    b.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) =>
      args.importer === join(CLIENT_NODE, 'config.js') ? { path: 'client-node-gen', namespace: 'stub' } : undefined,
    );
    b.onResolve({ filter: /^undici$/ }, (args) => (args.importer.startsWith(CLIENT_NODE) ? { path: 'undici', namespace: 'stub' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({
      contents: stubSource(args.path, args.path === 'undici' ? ['Agent', 'ProxyAgent'] : ['createConfiguration', 'ServerConfiguration']),
      loader: 'js',
    }));
  },
};

function stubSource(name, exports) {
  const fail = `function unbundled() { throw new Error('kube-ovn-controller bundle: ${name} is not bundled (only KubeConfig of @kubernetes/client-node is)'); }`;
  return `${fail}\n${exports.map((e) => `export const ${e} = unbundled;`).join('\n')}\n`;
}

/**
 * No import may stay unresolved at run time except Node's own modules. Optional packages that a
 * dependency tries inside try/catch and that are not installed (`debug` probes `supports-color`)
 * are bundled as empty modules, so the shipped files never look for node_modules.
 */
const OPTIONAL_ABSENT = ['supports-color'];
const builtinsOnly = {
  name: 'builtins-only',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      if (OPTIONAL_ABSENT.includes(args.path)) return { path: args.path, namespace: 'absent' };
      return undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'absent' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/**
 * hono and @hono/node-server declare no `sideEffects`, so esbuild kept them in the controller
 * bundle (reached through the health folder's index) although only the worker serves HTTP; the
 * adaptor's top level then reads the global `Request`, which makes Node load its internal undici
 * (760 KB of source) in the main thread at idle. Nothing there must run on import: where no
 * export is used, they are dropped.
 */
const honoSideEffectFree = {
  name: 'hono-side-effect-free',
  setup(b) {
    b.onResolve({ filter: /^(hono|@hono\/node-server)(\/.*)?$/ }, async (args) => {
      if (args.pluginData?.honoResolved === true) return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { honoResolved: true } });
      if (r.errors.length > 0) return { errors: r.errors };
      return { path: r.path, namespace: r.namespace, sideEffects: false };
    });
  },
};

/**
 * Node 24's `http` exports three lazy getters (WebSocket, CloseEvent, MessageEvent) that load its
 * internal undici; an ESM `import ... from 'node:http'` reads every export to build the module
 * namespace, so it loaded undici (760 KB of source) in each thread that imports http: +12 MiB RSS
 * on an empty script, and the controller's idle RSS 95.8 -> 93.5 MiB, Ready 619 -> 553 ms (5
 * interleaved rounds). Through `require` (the REQUIRE_SHIM below) only what is used is read. The
 * worker loads undici anyway: hono serves with fetch's Request/Response.
 */
const httpThroughRequire = {
  name: 'http-through-require',
  setup(b) {
    // The facade's own `require('node:http')` is the real built-in.
    b.onResolve({ filter: /^(node:)?http$/ }, (args) =>
      args.namespace === 'cjs-builtin' ? { path: 'node:http', external: true } : { path: 'node:http', namespace: 'cjs-builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'cjs-builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

// ESM output, but pino, undici's neighbours and others are CommonJS that `require()` Node
// built-ins: give the bundle a real `require`.
const REQUIRE_SHIM = "import { createRequire as __kocCreateRequire } from 'node:module'; const require = __kocCreateRequire(import.meta.url);";

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  outdir: stage,
  sourcemap: 'linked',
  legalComments: 'linked',
  charset: 'ascii',
  logLevel: 'warning',
  // The log level and the OTel SDK read NODE_ENV-free paths; nothing to define.
  plugins: [httpThroughRequire, kubeConfigOnly, builtinsOnly, honoSideEffectFree],
};

await rm(stage, { recursive: true, force: true });
const [app, launcher] = await Promise.all([
  build({
    ...common,
    // dist/certificates.js: the self-signed certificate code (@peculiar/x509, asn1js,
    // reflect-metadata: ~785 KB), a bundle of its own that the controller imports by a run-time
    // URL (src/serving/tls-source.ts) only when `--secure-serving` makes a certificate. Not code
    // splitting: measured, esbuild's splitting cost the idle main heap +5 MiB and start -> Ready
    // +50% (bench/RESULTS.md), more than the chunk saved.
    entryPoints: { controller: join(ROOT, 'src/main.ts'), worker: join(ROOT, 'src/health/worker.ts'), certificates: join(ROOT, 'src/serving/certificates.ts') },
    banner: { js: REQUIRE_SHIM },
    metafile: values.metafile !== undefined,
  }),
  // The launcher must not pull the controller in: it loads it after setting the V8 flags.
  // Bundled for the health thread's early start (src/health/prestart.ts, Node built-ins only);
  // the controller is imported by a run-time URL, which esbuild leaves alone.
  build({ ...common, entryPoints: { main: join(ROOT, 'src/launch.ts') }, sourcemap: false, legalComments: 'none', metafile: values.metafile !== undefined }),
]);
if (values.metafile !== undefined) {
  const meta = { inputs: { ...app.metafile.inputs, ...launcher.metafile.inputs }, outputs: { ...app.metafile.outputs, ...launcher.metafile.outputs } };
  await writeFile(values.metafile, JSON.stringify(meta));
}
// V8 keeps a script's source in the heap, one byte per character only while every character is
// Latin-1: one `—` or `µ` left in a kept comment or a regex (esbuild's `charset` does not reach
// comments) made the controller's 1.2 MB source a 2.5 MB two-byte string (heap snapshot). Escaped
// as `\uXXXX`, which means the same in strings, regexes, templates, comments and identifiers.
for (const name of await readdir(stage)) {
  if (!name.endsWith('.js')) continue;
  const file = join(stage, name);
  const text = await readFile(file, 'utf8');
  const ascii = text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== text) await writeFile(file, ascii);
}
await mkdir(outdir, { recursive: true });
const built = new Set(await readdir(stage));
for (const name of built) await rename(join(stage, name), join(outdir, name));
for (const name of await readdir(outdir)) if (!built.has(name)) await rm(join(outdir, name), { recursive: true, force: true });
await rm(stage, { recursive: true, force: true });
const problems = [...app.warnings, ...launcher.warnings];
if (problems.length > 0) process.exitCode = 1;
