import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiError, createKubeClient, decodeListBody, listPages, RESOURCES } from '../../../src/kube/client/index.js';
import { peekListMeta } from '../../../src/kube/client/list-body.js';
import type { HttpRequest, HttpResponse, KubeClient, KubeObject, ListOptions, Transport } from '../../../src/kube/client/index.js';
import { createInstantClock, silentLogger, statusBody } from './fakes.js';

const item = (name: string) => ({ metadata: { name, namespace: 'ns' } });

/** Page `i` of `count`, its metadata first (as API servers write it) or after the items. */
function pageBody(i: number, count: number, metadataFirst = true): string {
  const metadata = { resourceVersion: '7', ...(i + 1 < count ? { continue: `c${i + 1}` } : {}) };
  const items = [item(`p${i}a`), item(`p${i}b`)];
  return JSON.stringify(metadataFirst ? { kind: 'PodList', apiVersion: 'v1', metadata, items } : { kind: 'PodList', apiVersion: 'v1', items, metadata });
}

/** Answers `?continue=cN` with page N; `hold` pages wait until their request is aborted. */
function pagedTransport(count: number, o: { metadataFirst?: boolean; failAt?: number; hold?: number } = {}): Transport & { requests: HttpRequest[]; aborted: number[] } {
  const requests: HttpRequest[] = [];
  const aborted: number[] = [];
  return {
    host: 'apiserver.test:6443',
    requests,
    aborted,
    send(request): Promise<HttpResponse> {
      requests.push(request);
      const i = Number(/continue=c(\d+)/.exec(request.path)?.[1] ?? 0);
      const answer = (status: number, body: string): HttpResponse => {
        const headers = { 'content-length': String(Buffer.byteLength(body)) };
        return { status, headers, body: Object.assign(Readable.from([Buffer.from(body)]), { headers }) as unknown as IncomingMessage };
      };
      if (i === o.hold) {
        return new Promise((_resolve, reject) => {
          request.signal?.addEventListener('abort', () => {
            aborted.push(i);
            reject(request.signal?.reason);
          });
        });
      }
      if (i === o.failAt) return Promise.resolve(answer(410, statusBody(410, 'Expired', 'The provided continue parameter is too old')));
      return Promise.resolve(answer(200, pageBody(i, count, o.metadataFirst)));
    },
  };
}

function client(transport: Transport) {
  return createKubeClient({ kubeconfig: new KubeConfig(), transport, clock: createInstantClock(), logger: silentLogger(), random: () => 0 });
}

const pods = (c: KubeClient) => (o: ListOptions) => c.list(RESOURCES.pods, o);

describe('listPages', () => {
  it('requests the next page before the current one is decoded, and yields every page in order', async () => {
    const transport = pagedTransport(3);
    const c = client(transport);
    // How many pages had been requested when each item was decoded.
    const requestedAtDecode: Record<string, number> = {};
    const names: string[] = [];
    for await (const page of listPages((o) => c.list(RESOURCES.pods, o, (p: KubeObject) => ((requestedAtDecode[p.metadata.name ?? ''] = transport.requests.length), p)), { limit: 2 })) {
      names.push(...page.items.map((o) => o.metadata.name ?? ''));
    }
    assert.deepEqual(names, ['p0a', 'p0b', 'p1a', 'p1b', 'p2a', 'p2b']);
    assert.deepEqual(requestedAtDecode, { p0a: 2, p0b: 2, p1a: 3, p1b: 3, p2a: 3, p2b: 3 });
    assert.deepEqual(transport.requests.map((r) => r.path), ['/api/v1/pods?limit=2', '/api/v1/pods?limit=2&continue=c1', '/api/v1/pods?limit=2&continue=c2']);
  });

  it('pages one request at a time when the metadata comes after the items', async () => {
    const transport = pagedTransport(3, { metadataFirst: false });
    const c = client(transport);
    const requestedAtDecode: number[] = [];
    let pages = 0;
    for await (const _ of listPages((o) => c.list(RESOURCES.pods, o, (p: KubeObject) => (requestedAtDecode.push(transport.requests.length), p)), { limit: 2 })) pages++;
    assert.equal(pages, 3);
    assert.deepEqual(requestedAtDecode, [1, 1, 2, 2, 3, 3]);
  });

  it('fails when it reaches a failed page, after the pages before it', async () => {
    const transport = pagedTransport(4, { failAt: 2 });
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const page of listPages(pods(client(transport)), { limit: 2 })) seen.push(page.items.length);
      })(),
      (err) => err instanceof ApiError && err.code === 410,
    );
    assert.deepEqual(seen, [2, 2]);
  });

  it('aborts the page requested ahead when the caller stops', async () => {
    const transport = pagedTransport(3, { hold: 1 });
    for await (const page of listPages(pods(client(transport)), { limit: 2 })) {
      assert.equal(page.items.length, 2);
      break;
    }
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(transport.aborted, [1]);
  });

  it("fails with the caller's reason when aborted between pages, rather than ending early", async () => {
    const transport = pagedTransport(3);
    const ctl = new AbortController();
    const reason = new Error('term ended');
    await assert.rejects(
      (async () => {
        for await (const _ of listPages(pods(client(transport)), { limit: 2, signal: ctl.signal })) ctl.abort(reason);
      })(),
      (err) => err === reason,
    );
  });
});

describe('peekListMeta', () => {
  it("is the list's metadata when it precedes the items, and undefined otherwise", () => {
    assert.deepEqual(peekListMeta(Buffer.from(pageBody(0, 2))), { resourceVersion: '7', continue: 'c1' });
    assert.equal(peekListMeta(Buffer.from(pageBody(0, 2, false))), undefined);
    assert.deepEqual(peekListMeta(Buffer.from(' {\n "kind" : "X", "metadata" : {"continue":"a"} , "items":[]}')), { continue: 'a' });
    for (const bad of ['', '[]', '{"metadata":[1]}', '{"metadata":{"continue":"a"', '{"kind":"X" "metadata":{}}', '{"kind":', 'null']) assert.equal(peekListMeta(Buffer.from(bad)), undefined, bad);
  });

  it('agrees with the full decode on any list whose metadata leads', () => {
    const meta = fc.record({ resourceVersion: fc.string(), continue: fc.string() }, { requiredKeys: [] });
    const items = fc.array(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 });
    fc.assert(
      fc.property(fc.string({ maxLength: 5 }), meta, items, (kind, metadata, list) => {
        const body = Buffer.from(JSON.stringify({ kind, metadata, items: list }, null, kind.length % 2 === 0 ? undefined : 1));
        assert.deepEqual(peekListMeta(body), decodeListBody(body, (o) => o).metadata);
      }),
      { numRuns: 300 },
    );
  });
});
