// The dependency rules of STYLE.md 1 and DESIGN §9, checked on every import under src/ so they
// cannot erode silently (issue 9). Imports are read with TypeScript's own pre-processor, so
// `import type`, `export ... from` and dynamic `import()` all count.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** `src/kube/client/x.ts` -> `kube`; top-level files are their own unit: `main`, `parts`. */
function unitOf(file: string): string {
  const [first = '', ...rest] = relative(SRC, file).split(sep);
  return rest.length === 0 ? first.replace(/\.ts$/, '') : first;
}

interface Edge {
  readonly from: string;
  readonly to: string;
  /** The importing file, relative to src/. */
  readonly file: string;
  /** The module specifier as written. */
  readonly spec: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

function edges(): Edge[] {
  return sourceFiles(SRC).flatMap((file) => {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    return info.importedFiles.map(({ fileName: spec }) => {
      const to = spec.startsWith('.') ? unitOf(resolve(dirname(file), spec)) : `pkg:${spec}`;
      return { from: unitOf(file), to, file: relative(SRC, file), spec };
    });
  });
}

const ALL = edges();
const internal = ALL.filter((e) => !e.to.startsWith('pkg:') && e.from !== e.to);

/** Every import from one of `from` into one of `to`, as readable lines for the failure message. */
function offending(from: readonly string[] | ((u: string) => boolean), to: (u: string) => boolean): string[] {
  const isFrom = typeof from === 'function' ? from : (u: string) => from.includes(u);
  return internal.filter((e) => isFrom(e.from) && to(e.to)).map((e) => `${e.file} imports ${e.spec}`);
}

// Everything the controllers build on; none of it may know the controllers or the wiring above them.
const BELOW_CONTROLLERS = ['kube', 'ipam', 'ovn', 'telemetry', 'health', 'config', 'log', 'clock', 'check', 'lifecycle'];

describe('dependency rules', () => {
  it('reads the imports it judges (a parser that saw nothing would pass every rule)', () => {
    const seen = new Set(internal.map((e) => `${e.from}->${e.to}`));
    for (const edge of ['main->lifecycle', 'parts->controllers', 'controllers->kube', 'controllers->ipam', 'kube->clock', 'health->check']) assert.ok(seen.has(edge), `expected an import ${edge}`);
  });

  const rules: ReadonlyArray<{ name: string; from: readonly string[] | ((u: string) => boolean); to: (u: string) => boolean }> = [
    { name: 'ipam imports nothing of kube, telemetry, health or ovn (pure address management)', from: ['ipam'], to: (u) => ['kube', 'telemetry', 'health', 'ovn'].includes(u) },
    { name: 'ipam imports no other unit at all', from: ['ipam'], to: () => true },
    { name: 'health does not import telemetry', from: ['health'], to: (u) => u === 'telemetry' },
    { name: 'telemetry does not import health', from: ['telemetry'], to: (u) => u === 'health' },
    { name: 'kube does not import controllers', from: ['kube'], to: (u) => u === 'controllers' },
    { name: 'nothing below the controllers imports controllers, parts or main', from: BELOW_CONTROLLERS, to: (u) => ['controllers', 'parts', 'main'].includes(u) },
    { name: 'only main imports the parts, and nothing imports main', from: (u) => u !== 'main', to: (u) => u === 'main' || u === 'parts' },
    { name: 'config imports nothing outside config', from: ['config'], to: () => true },
    { name: 'the clock and the check type are leaves', from: ['clock', 'check'], to: () => true },
  ];
  for (const rule of rules) {
    it(rule.name, () => {
      assert.deepEqual(offending(rule.from, rule.to), []);
    });
  }

  it('ipam uses no I/O module of Node', () => {
    const io = ALL.filter((e) => e.from === 'ipam' && /^pkg:(node:)?(fs|net|http|https|http2|dgram|child_process|worker_threads|dns|tls)(\/|$)/.test(e.to));
    assert.deepEqual(io.map((e) => `${e.file} imports ${e.spec}`), []);
  });

  it('the check module is types only, so importing it pulls in no code', () => {
    for (const file of sourceFiles(join(SRC, 'check'))) {
      const text = readFileSync(file, 'utf8');
      const code = text.split('\n').filter((l) => /^export (?!type |interface )/.test(l) || /^(const|let|function|class) /.test(l));
      assert.deepEqual(code, [], `${relative(SRC, file)} declares code`);
    }
  });
});
