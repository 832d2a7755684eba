// Dev tool (not run by tests): writes the protobuf subset this double speaks, from the Kubernetes
// wire format. Inputs are checkouts of kubernetes/api and kubernetes/apimachinery; for every
// message reachable from ROOTS it keeps the field declarations of generated.proto (type, name,
// number) and adds what only the Go struct tags in types.go know: the JSON name when it differs
// from the proto name, `omitempty`, and whether the Go field is a pointer (present = set).
//
//   npx tsx test/support/apiserver/proto/extract.ts <api-checkout> <apimachinery-checkout>
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OUT = new URL('./', import.meta.url).pathname;

/** Proto package -> [checkout ('api' | 'am'), directory, output file]. */
const PACKAGES: Record<string, [string, string, string]> = {
  'k8s.io.apimachinery.pkg.apis.meta.v1': ['am', 'pkg/apis/meta/v1', 'meta.proto'],
  'k8s.io.apimachinery.pkg.runtime': ['am', 'pkg/runtime', 'runtime.proto'],
  'k8s.io.apimachinery.pkg.runtime.schema': ['am', 'pkg/runtime/schema', 'schema.proto'],
  'k8s.io.apimachinery.pkg.util.intstr': ['am', 'pkg/util/intstr', 'intstr.proto'],
  'k8s.io.apimachinery.pkg.api.resource': ['am', 'pkg/api/resource', 'resource.proto'],
  'k8s.io.api.core.v1': ['api', 'core/v1', 'core.proto'],
  'k8s.io.api.apps.v1': ['api', 'apps/v1', 'apps.proto'],
  'k8s.io.api.coordination.v1': ['api', 'coordination/v1', 'coordination.proto'],
  'k8s.io.api.authentication.v1': ['api', 'authentication/v1', 'authentication.proto'],
  'k8s.io.api.authorization.v1': ['api', 'authorization/v1', 'authorization.proto'],
  'k8s.io.api.rbac.v1': ['api', 'rbac/v1', 'rbac.proto'],
  'k8s.io.api.events.v1': ['api', 'events/v1', 'events.proto'],
};

const KINDS: Record<string, string[]> = {
  'k8s.io.api.core.v1': ['Namespace', 'Pod', 'Node', 'ConfigMap', 'Secret', 'ServiceAccount', 'Event', 'Service', 'Endpoints'],
  'k8s.io.api.apps.v1': ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'],
  'k8s.io.api.coordination.v1': ['Lease'],
  'k8s.io.api.authentication.v1': ['TokenRequest', 'TokenReview'],
  'k8s.io.api.authorization.v1': ['SubjectAccessReview', 'SelfSubjectAccessReview', 'LocalSubjectAccessReview'],
  'k8s.io.api.rbac.v1': ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  'k8s.io.api.events.v1': ['Event'],
};
const ROOTS = [
  ...Object.entries(KINDS).flatMap(([pkg, kinds]) => kinds.flatMap((k) => [`${pkg}.${k}`, `${pkg}.${k}List`])),
  'k8s.io.apimachinery.pkg.runtime.Unknown',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Status',
  'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent',
].filter((r) => !r.endsWith('TokenRequestList') && !r.endsWith('ReviewList'));

interface Field { label: string; type: string; name: string; num: number }
interface GoTag { json: string; omitempty: boolean; pointer: boolean; inline: boolean; patchStrategy: string; patchMergeKey: string }

function parseProto(text: string): Map<string, Field[]> {
  const out = new Map<string, Field[]>();
  const clean = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  for (const m of clean.matchAll(/message\s+(\w+)\s*\{([^}]*)\}/g)) {
    const fields: Field[] = [];
    for (const f of (m[2] ?? '').matchAll(/(optional|repeated)?\s*(map<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*(\d+)/g)) {
      fields.push({ label: f[1] ?? '', type: (f[2] ?? '').replace(/\s+/g, ' '), name: f[3] ?? '', num: Number(f[4]) });
    }
    out.set(m[1] ?? '', fields);
  }
  return out;
}

/** struct name -> proto field name -> Go tag facts. */
function parseGo(dir: string): Map<string, Map<string, GoTag>> {
  const out = new Map<string, Map<string, GoTag>>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const m of text.matchAll(/type\s+(\w+)\s+struct\s*\{([\s\S]*?)\n\}/g)) {
      const tags = new Map<string, GoTag>();
      for (const line of (m[2] ?? '').split('\n')) {
        const f = /^\s*(\w+\s+)?(\S+)\s+`([^`]*)`/.exec(line);
        if (f === null) continue;
        const embedded = f[1] === undefined;
        const pb = /protobuf:"[^"]*name=(\w+)/.exec(f[3] ?? '');
        const js = /json:"([^"]*)"/.exec(f[3] ?? '');
        if (pb === null || js === null) continue;
        const [jname, ...opts] = (js[1] ?? '').split(',');
        tags.set(pb[1] ?? '', { json: jname ?? '', omitempty: opts.includes('omitempty') || opts.includes('omitzero'), pointer: (f[2] ?? '').startsWith('*'), inline: opts.includes('inline') || (embedded && jname === ''),
          patchStrategy: /patchStrategy:"([^"]*)"/.exec(f[3] ?? '')?.[1] ?? '', patchMergeKey: /patchMergeKey:"([^"]*)"/.exec(f[3] ?? '')?.[1] ?? '' });
      }
      out.set(m[1] ?? '', tags);
    }
  }
  return out;
}

function main(): void {
  const [apiRoot, amRoot] = process.argv.slice(2);
  if (apiRoot === undefined || amRoot === undefined) throw new Error('usage: extract.ts <kubernetes/api checkout> <kubernetes/apimachinery checkout>');
  const messages = new Map<string, Field[]>();
  const go = new Map<string, Map<string, GoTag>>();
  for (const [pkg, [repo, dir]] of Object.entries(PACKAGES)) {
    const base = join(repo === 'api' ? apiRoot : amRoot, dir);
    for (const [name, fields] of parseProto(readFileSync(join(base, 'generated.proto'), 'utf8'))) messages.set(`${pkg}.${name}`, fields);
    for (const [name, tags] of parseGo(base)) go.set(`${pkg}.${name}`, tags);
  }
  const resolve = (pkg: string, type: string): string | undefined => {
    const t = type.startsWith('.') ? type.slice(1) : type;
    if (messages.has(t)) return t;
    if (messages.has(`${pkg}.${t}`)) return `${pkg}.${t}`;
    return undefined;
  };
  const keep = new Set<string>();
  const queue = [...ROOTS];
  while (queue.length > 0) {
    const full = queue.pop() ?? '';
    if (keep.has(full)) continue;
    const fields = messages.get(full);
    if (fields === undefined) throw new Error(`missing message ${full}`);
    keep.add(full);
    const pkg = full.slice(0, full.lastIndexOf('.'));
    for (const f of fields) {
      for (const part of f.type.replace(/^map<|>$/g, '').split(',').map((s) => s.trim())) {
        const r = resolve(pkg, part);
        if (r !== undefined) queue.push(r);
      }
    }
  }
  for (const [pkg, [, , file]] of Object.entries(PACKAGES)) {
    const lines = ['// Generated by extract.ts from the Kubernetes wire format (k8s.io/api, k8s.io/apimachinery generated.proto', '// and types.go struct tags); field declarations only. Do not edit by hand.', 'syntax = "proto2";', `package ${pkg};`, ''];
    for (const full of [...keep].filter((k) => k.slice(0, k.lastIndexOf('.')) === pkg).sort()) {
      const name = full.slice(pkg.length + 1);
      const tags = go.get(full);
      lines.push(`message ${name} {`);
      for (const f of messages.get(full) ?? []) {
        const tag = tags?.get(f.name);
        const opts: string[] = [];
        if (tag !== undefined && tag.json !== '' && tag.json !== '-' && tag.json !== f.name) opts.push(`json_name = "${tag.json}"`);
        if (tag?.inline === true) opts.push('(inline) = true');
        if (tag?.omitempty === true) opts.push('(omitempty) = true');
        if (tag?.pointer === true) opts.push('(pointer) = true');
        if (tag !== undefined && tag.patchStrategy !== '') opts.push(`(patch_strategy) = "${tag.patchStrategy}"`);
        if (tag !== undefined && tag.patchMergeKey !== '') opts.push(`(patch_merge_key) = "${tag.patchMergeKey}"`);
        const typ = f.type.startsWith('.') ? f.type.slice(1) : f.type;
        const label = f.type.startsWith('map<') ? '' : `${f.label === '' ? 'optional' : f.label} `;
        lines.push(`  ${label}${typ.startsWith('k8s.') ? `.${typ}` : typ} ${f.name} = ${f.num}${opts.length > 0 ? ` [${opts.join(', ')}]` : ''};`);
      }
      lines.push('}', '');
    }
    writeFileSync(join(OUT, file), lines.join('\n'));
  }
  process.stdout.write(`${keep.size} messages\n`);
}

main();
