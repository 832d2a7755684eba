import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** Repository root, for paths like `deploy/overlays/metrics-none`. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The overlays an operator picks from, one per metrics mode. */
export const OVERLAYS = ['metrics-none', 'metrics-prometheus', 'metrics-otlp'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** A rendered Kubernetes object, loosely typed: tests read it with `at()`. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [key: string]: unknown;
}

/** Why kubectl cannot render here (a skip reason, printed loudly), or false when it can. */
export function kubectlUnavailable(): string | false {
  try {
    const out = execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8', stdio: 'pipe', timeout: 20_000 });
    return /Kustomize Version/.test(out) ? false : 'kubectl has no built-in kustomize';
  } catch (err) {
    const why = `SKIPPED: kubectl cannot run here (${(err as Error).message.split('\n')[0] ?? ''}); the manifests are unchecked`;
    process.stderr.write(`\n*** ${why} ***\n`);
    return why;
  }
}

/** Runs `kubectl kustomize <dir>` (dir relative to the repository root) and returns the YAML text. */
export function kustomize(dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['kustomize', dir], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl kustomize ${dir} failed: ${stderr || err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

/** Parses multi-document YAML; a document with errors throws, empty documents are dropped. */
export function parseDocuments(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value as KubeObject);
  }
  return objects;
}

/** Renders a kustomization directory into objects. */
export async function render(dir: string): Promise<KubeObject[]> {
  return parseDocuments(await kustomize(dir), dir);
}

/** Reads a repository file as text. */
export function readRepoFile(path: string): string {
  return readFileSync(new URL(path, `file://${ROOT}`), 'utf8');
}

/** The one object of `kind` (and `name`, when given); throws when there is not exactly one. */
export function only(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0] as KubeObject;
}

/** Reads a nested value by path (`at(obj, 'spec', 'template', 'spec')`); undefined when absent. */
export function at(value: unknown, ...path: Array<string | number>): unknown {
  let cur = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly fieldRef?: { readonly fieldPath: string } };
}

export interface Container {
  readonly name: string;
  readonly env?: readonly EnvVar[];
  readonly ports?: ReadonlyArray<{ readonly name?: string; readonly containerPort: number }>;
  readonly [key: string]: unknown;
}

/** The controller's container in the rendered Deployment. */
export function controllerContainer(objects: readonly KubeObject[]): Container {
  const containers = at(only(objects, 'Deployment', 'kube-ovn-controller'), 'spec', 'template', 'spec', 'containers') as Container[];
  const found = containers.find((c) => c.name === 'kube-ovn-controller');
  if (found === undefined) throw new Error('no kube-ovn-controller container');
  return found;
}

/** The container's env as a name -> value map (Downward API entries map to `fieldRef:<path>`). */
export function envMap(container: Container): Map<string, string> {
  return new Map(
    (container.env ?? []).map((e) => [e.name, e.value ?? (e.valueFrom?.fieldRef ? `fieldRef:${e.valueFrom.fieldRef.fieldPath}` : '')]),
  );
}
