import { badRequest, expired } from './errors.js';
import type { Encoder } from './encode.js';
import type { Matcher } from './selectors.js';
import type { Store } from './store.js';
import type { KubeObject, ResourceDef } from './types.js';

/** A list request after parameter parsing. */
export interface ListQuery {
  readonly def: ResourceDef;
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly match: Matcher;
  readonly filtered: boolean;
  readonly apiVersion: string;
  readonly limit: number | undefined;
  readonly continueToken: string | undefined;
}

export interface ListPage {
  readonly rv: number;
  readonly items: KubeObject[];
  readonly continueToken: string | undefined;
  readonly remaining: number | undefined;
}

const EXPIRED_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') throw new Error('bad shape');
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

/**
 * One page of a list in key order. A continue token names the list RV and the last key; it
 * expires (410) once history older than that RV is gone, like etcd compaction in a real cluster.
 * Later pages read current state (this double keeps no snapshots).
 */
export function listPage(store: Store, q: ListQuery): ListPage {
  let rv = store.resourceVersion;
  let after: string | undefined;
  if (q.continueToken !== undefined) {
    const token = decodeContinue(q.continueToken);
    if (!store.checkHistory(token.rv).ok) throw expired(EXPIRED_CONTINUE);
    rv = token.rv;
    after = token.start;
  }
  const items: KubeObject[] = [];
  let lastKey: string | undefined;
  let remaining = 0;
  let more = false;
  for (const [key, obj] of store.list(q.resource, q.namespace, after)) {
    if (!q.match(obj)) continue;
    if (q.limit !== undefined && q.limit > 0 && items.length >= q.limit) {
      more = true;
      remaining += 1;
      continue;
    }
    items.push(obj);
    lastKey = key;
  }
  const token = more && lastKey !== undefined ? encodeContinue(rv, lastKey) : undefined;
  return { rv, items, continueToken: token, remaining: more && !q.filtered ? remaining : undefined };
}

const COMMA = Buffer.from(',');

/** `{"kind":"PodList",...}` assembled from cached per-object encodings, as one buffer. */
export function encodeList(encoder: Encoder, q: ListQuery, page: ListPage): Buffer {
  const meta: Record<string, unknown> = { resourceVersion: String(page.rv) };
  if (page.continueToken !== undefined) meta['continue'] = page.continueToken;
  if (page.remaining !== undefined) meta['remainingItemCount'] = page.remaining;
  const parts: Buffer[] = [Buffer.from(`{"kind":"${q.def.listKind}","apiVersion":"${q.apiVersion}","metadata":${JSON.stringify(meta)},"items":[`)];
  for (let i = 0; i < page.items.length; i++) {
    const o = page.items[i] as KubeObject;
    if (i > 0) parts.push(COMMA);
    parts.push(q.def.builtin ? encoder.listItem(o) : encoder.objectBytes(o, q.apiVersion));
  }
  parts.push(Buffer.from(']}'));
  return Buffer.concat(parts);
}
