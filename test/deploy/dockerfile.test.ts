import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { defaultConfig } from './controller-config.js';
import { at, readRepoFile } from './render.js';

/** Docker's build needs no daemon to be read: these check the Dockerfile's inputs and promises. */

interface Stage {
  from: string;
  name: string;
  lines: string[];
}

function setup() {
  // Join continuation lines, drop comments and blanks.
  const lines = readRepoFile('Dockerfile').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      stages.push({ from: (from[1] ?? '').replace(/\$\{(\w+)\}/g, (_w, n: string) => args.get(n) ?? ''), name: from[2] ?? '', lines: [] });
      continue;
    }
    const arg = /^ARG\s+(\w+)=(\S+)/.exec(line);
    if (arg && stages.length === 0) args.set(arg[1] ?? '', arg[2] ?? '');
    stages.at(-1)?.lines.push(line);
  }
  const pkg = JSON.parse(readRepoFile('package.json')) as { version: string; license: string };
  return { stages, pkg, final: stages.at(-1) as Stage, ignore: readRepoFile('.dockerignore') };
}

/** Go's filepath.Match as Docker uses it: `*` matches dotfiles too; `**` crosses directories. */
function globRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\u0000/g, '.*');
  return new RegExp(`^${body}$`);
}

/** Docker's rule: the last matching pattern wins; a match on a directory covers what is below it. */
function ignored(path: string, dockerignore: string): boolean {
  const patterns = dockerignore.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  let excluded = false;
  const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).replace(/\/$/, '');
    if (prefixes.some((p) => globRegExp(pattern).test(p))) excluded = !negate;
  }
  return excluded;
}

describe('Dockerfile', () => {
  it('builds in stages on a Node 24 base and compiles with npm ci and npm run build', () => {
    const { stages } = setup();
    assert.ok(stages.length >= 2, 'multi-stage');
    for (const s of stages) assert.match(s.from, /^node:24[-.]/, `stage ${s.name || '(final)'} is not on Node 24`);
    const build = stages.find((s) => s.lines.some((l) => /npm run build/.test(l)));
    assert.ok(build?.lines.some((l) => /^RUN npm ci\b(?!.*--omit=dev)/.test(l)), 'the build stage installs dev dependencies');
  });

  it('ships the bundle (dist/) and package.json only, no node_modules, and runs node dist/main.js as 65532', () => {
    const { stages, final } = setup();
    const copies = final.lines.filter((l) => l.startsWith('COPY'));
    const fromStage = (dest: string) => copies.find((l) => l.endsWith(dest))?.match(/--from=(\S+)/)?.[1];
    assert.ok(stages.find((s) => s.name === fromStage('./dist'))?.lines.some((l) => /npm run build/.test(l)), 'dist/ must come from the build stage');
    assert.ok(copies.some((l) => /^COPY package\.json \.\/$/.test(l)));
    assert.equal(copies.length, 2, copies.join('\n'));
    assert.ok(!copies.some((l) => /node_modules/.test(l)), 'the bundles need no node_modules');
    assert.ok(!final.lines.some((l) => /^RUN\b.*npm/.test(l)), 'no npm in the runtime stage');
    const deployment = parse(readRepoFile('deploy/base/deployment.yaml')) as unknown;
    const runAsUser = at(deployment, 'spec', 'template', 'spec', 'securityContext', 'runAsUser');
    assert.deepEqual(final.lines.filter((l) => l.startsWith('USER')), [`USER ${String(runAsUser)}:${String(runAsUser)}`]);
    assert.deepEqual(final.lines.filter((l) => l.startsWith('ENTRYPOINT')), ['ENTRYPOINT ["node", "dist/main.js"]']);
  });

  it('copies every input of npm run build into the build stage', () => {
    const { stages } = setup();
    const build = stages.find((s) => s.lines.some((l) => /npm run build/.test(l)));
    const copied = (build?.lines ?? []).filter((l) => l.startsWith('COPY')).flatMap((l) => l.split(/\s+/).slice(1, -1));
    for (const input of ['package.json', 'package-lock.json', 'tsconfig.json', 'build.mjs', 'src']) assert.ok(copied.includes(input), `${input} is not copied into the build stage`);
  });

  it('exposes the health and Prometheus ports the controller listens on by default', () => {
    const { final } = setup();
    const config = defaultConfig();
    const prometheus = config.metrics.exporters.find((e) => e.kind === 'prometheus');
    assert.deepEqual(final.lines.filter((l) => l.startsWith('EXPOSE')), [`EXPOSE ${config.health.port} ${prometheus?.kind === 'prometheus' ? prometheus.port : '?'}`]);
  });

  it('labels the image with the OCI annotations, version and license from package.json', () => {
    const { final, pkg } = setup();
    const text = final.lines.join('\n');
    for (const key of ['title', 'description', 'version', 'revision', 'created', 'licenses', 'source']) assert.match(text, new RegExp(`org\\.opencontainers\\.image\\.${key}=`), key);
    assert.match(text, new RegExp(`org\\.opencontainers\\.image\\.licenses="${pkg.license}"`));
    assert.ok(final.lines.includes(`ARG VERSION=${pkg.version}`), 'ARG VERSION must default to package.json version');
  });

  it('sends only the build inputs as context (.dockerignore)', () => {
    const { ignore } = setup();
    const cases: Array<[string, boolean]> = [
      ['package.json', false], ['package-lock.json', false], ['tsconfig.json', false], ['build.mjs', false], ['src/main.ts', false], ['src/config/parse.ts', false],
      ['node_modules/hono/package.json', true], ['dist/main.js', true], ['.git/HEAD', true], ['test/deploy/render.ts', true], ['.tmp/x', true], ['deploy/base/deployment.yaml', true],
    ];
    for (const [path, expected] of cases) assert.equal(ignored(path, ignore), expected, path);
  });
});
