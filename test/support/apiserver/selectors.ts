import { badRequest } from './errors.js';
import type { KubeObject, ResourceDef } from './types.js';

/** A compiled selector: true when the object matches. */
export type Matcher = (obj: KubeObject) => boolean;

export const matchAll: Matcher = () => true;

type Requirement =
  | { op: 'eq' | 'ne'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: Set<string> }
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'gt' | 'lt'; key: string; value: number };

/** Splits on commas that are not inside `( )`. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

const SET_RE = /^([A-Za-z0-9_./-]+)\s+(in|notin)\s*\(([^()]*)\)$/;
const BIN_RE = /^([A-Za-z0-9_./-]+)\s*(==|!=|=|>|<)\s*([A-Za-z0-9_.-]*)$/;
const KEY_RE = /^(!?)\s*([A-Za-z0-9_./-]+)$/;

function parseRequirement(part: string, raw: string): Requirement {
  const set = SET_RE.exec(part);
  if (set !== null) {
    const values = new Set((set[3] ?? '').split(',').map((v) => v.trim()));
    return { op: set[2] === 'in' ? 'in' : 'notin', key: set[1] ?? '', values };
  }
  const bin = BIN_RE.exec(part);
  if (bin !== null) {
    const [, key = '', op, value = ''] = bin;
    if (op === '>' || op === '<') {
      const n = Number(value);
      if (!Number.isInteger(n)) throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
      return { op: op === '>' ? 'gt' : 'lt', key, value: n };
    }
    return { op: op === '!=' ? 'ne' : 'eq', key, value };
  }
  const key = KEY_RE.exec(part);
  if (key !== null) return { op: key[1] === '!' ? 'notexists' : 'exists', key: key[2] ?? '' };
  throw badRequest(`unable to parse requirement: found '${part}', expected: identifier in label selector "${raw}"`);
}

function test(req: Requirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.op) {
    case 'eq': return value === req.value;
    case 'ne': return value !== req.value;
    case 'in': return value !== undefined && req.values.has(value);
    case 'notin': return value === undefined || !req.values.has(value);
    case 'exists': return has;
    case 'notexists': return !has;
    case 'gt': return value !== undefined && Number(value) > req.value;
    case 'lt': return value !== undefined && Number(value) < req.value;
  }
}

/**
 * Compiles a label selector in kube's full syntax (`a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x)`, `a`, `!a`, `a>1`; comma = AND). Empty or undefined matches everything.
 * Throws a 400 ApiError on bad syntax.
 */
export function parseLabelSelector(raw: string | null | undefined): Matcher {
  if (raw === null || raw === undefined || raw.trim() === '') return matchAll;
  const reqs = splitTopLevel(raw).filter((p) => p !== '').map((p) => parseRequirement(p, raw));
  return (obj) => {
    const labels = obj.metadata.labels;
    for (const req of reqs) if (!test(req, labels)) return false;
    return true;
  };
}

const FIELD_RE = /^([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*)$/;

function metaField(label: string): ((obj: KubeObject) => string) | undefined {
  if (label === 'metadata.name') return (o) => o.metadata.name ?? '';
  if (label === 'metadata.namespace') return (o) => o.metadata.namespace ?? '';
  return undefined;
}

/**
 * Compiles a field selector (`f=v`, `f==v`, `f!=v`, comma = AND) against the labels the
 * resource supports; anything else is a 400 `field label not supported: <label>` as the real server says.
 */
export function parseFieldSelector(raw: string | null | undefined, def: ResourceDef): Matcher {
  if (raw === null || raw === undefined || raw.trim() === '') return matchAll;
  const checks = raw.split(',').filter((p) => p.trim() !== '').map((part) => {
    const m = FIELD_RE.exec(part.trim());
    if (m === null) throw badRequest(`invalid selector: '${raw}'; can't understand '${part}'`);
    const [, label = '', op, value = ''] = m;
    const get = metaField(label) ?? def.fieldLabels.get(label);
    if (get === undefined) throw badRequest(`field label not supported: ${label}`);
    const negate = op === '!=';
    return (obj: KubeObject) => (get(obj) === value) !== negate;
  });
  return (obj) => checks.every((check) => check(obj));
}

/** Both selectors at once; undefined matchers collapse to the other. */
export function both(a: Matcher, b: Matcher): Matcher {
  if (a === matchAll) return b;
  if (b === matchAll) return a;
  return (obj) => a(obj) && b(obj);
}
