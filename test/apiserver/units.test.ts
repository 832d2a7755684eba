import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { apply as referenceMergePatch } from 'json-merge-patch';
import { Encoder, withoutTypeMeta } from '../support/apiserver/encode.js';
import { ApiError } from '../support/apiserver/errors.js';
import { mergePatch, strategicMerge } from '../support/apiserver/patch.js';
import { builtinDefs } from '../support/apiserver/registry.js';
import { parseFieldSelector, parseLabelSelector } from '../support/apiserver/selectors.js';
import { Store } from '../support/apiserver/store.js';
import { evalPath, humanDuration } from '../support/apiserver/table.js';
import type { KubeObject } from '../support/apiserver/types.js';

function obj(name: string, labels: Record<string, string> = {}, rest: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name, namespace: 'default', labels }, ...rest };
}

describe('label selectors', () => {
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ['', {}, true],
    ['a=b', { a: 'b' }, true],
    ['a==b', { a: 'c' }, false],
    ['a!=b', {}, true],
    ['a in (x, y)', { a: 'y' }, true],
    ['a in (x,y)', {}, false],
    ['a notin (x)', {}, true],
    ['a notin (x)', { a: 'x' }, false],
    ['a', { a: '' }, true],
    ['!a', { a: '' }, false],
    ['a,b=c', { a: '1', b: 'c' }, true],
    ['a in (x),!b', { a: 'x', b: '1' }, false],
    ['app.kubernetes.io/name=web', { 'app.kubernetes.io/name': 'web' }, true],
    ['n>3', { n: '4' }, true],
  ];
  for (const [selector, labels, expected] of cases) {
    it(`matches "${selector}" against ${JSON.stringify(labels)} as ${expected}`, () => {
      assert.equal(parseLabelSelector(selector)(obj('x', labels)), expected);
    });
  }

  it('rejects malformed selectors with a 400', () => {
    assert.throws(() => parseLabelSelector('a in (x'), (e: unknown) => e instanceof ApiError && e.code === 400);
  });
});

describe('field selectors', () => {
  const pods = builtinDefs().find((d) => d.plural === 'pods');
  assert.ok(pods !== undefined);
  it('supports pod field labels and rejects others naming the label', () => {
    const p = obj('a', {}, { spec: { nodeName: 'n1' }, status: { phase: 'Running' } });
    assert.equal(parseFieldSelector('spec.nodeName=n1,status.phase!=Pending', pods)(p), true);
    assert.equal(parseFieldSelector('metadata.name==b', pods)(p), false);
    assert.throws(() => parseFieldSelector('spec.foo=x', pods), (e: unknown) => e instanceof ApiError && e.message === 'field label not supported: spec.foo');
  });
});

describe('strategic merge patch', () => {
  it('merges keyed lists, unions finalizers, deletes with null and $patch: delete, and ignores ordering directives', () => {
    const original = {
      metadata: { finalizers: ['a'], labels: { x: '1', y: '2' } },
      spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, name: 'http' }] }, { name: 'd', image: 'j' }], volumes: [{ name: 'v' }], tolerations: [{ key: 't' }] },
    };
    const patch = {
      metadata: { finalizers: ['b', 'a'], labels: { y: null } },
      spec: {
        '$setElementOrder/containers': [{ name: 'c' }],
        containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443 }] }, { name: 'd', $patch: 'delete' }],
        tolerations: [{ key: 'u' }],
      },
    };
    assert.deepEqual(strategicMerge(original, patch), {
      metadata: { finalizers: ['a', 'b'], labels: { x: '1' } },
      spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443 }] }], volumes: [{ name: 'v' }], tolerations: [{ key: 'u' }] },
    });
  });

  it('removes values listed under $deleteFromPrimitiveList', () => {
    assert.deepEqual(strategicMerge({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }), { metadata: { finalizers: ['b'] } });
  });
});

describe('store history', () => {
  function setup(limit = 3): Store {
    const store = new Store(limit, 10);
    for (const name of ['a', 'b', 'c', 'd']) {
      const o = obj(name);
      o.metadata.resourceVersion = String(store.nextRv());
      store.write('ADDED', 'pods', o, undefined);
    }
    return store;
  }

  it('replays events after an RV within the ring and refuses older ones', () => {
    const store = setup();
    assert.equal(store.resourceVersion, 14);
    assert.deepEqual([...store.since(12)].map((e) => e.rv), [13, 14]);
    assert.equal(store.checkHistory(11).ok, true);
    assert.deepEqual(store.checkHistory(10), { ok: false, current: 14 });
  });

  it('expires everything before now on compaction', () => {
    const store = setup(100);
    store.compact();
    assert.equal(store.checkHistory(13).ok, false);
    assert.equal(store.checkHistory(14).ok, true);
  });

  it('lists in key order from a namespace prefix and after a continue key', () => {
    const store = setup();
    assert.deepEqual([...store.list('pods', 'default', 'default/b')].map(([k]) => k), ['default/c', 'default/d']);
    assert.deepEqual([...store.list('pods', 'other')], []);
  });
});

describe('table helpers', () => {
  it('formats ages like kubectl and evaluates printer-column paths', () => {
    assert.deepEqual([5_000, 150_000, 3_600_000, 90_000_000, 400 * 86_400_000].map(humanDuration), ['5s', '2m30s', '60m', '25h', '400d']);
    const o = { status: { conditions: [{ type: 'A', status: 'False' }, { type: 'Ready', status: 'True' }] } };
    assert.equal(evalPath(o, '.status.conditions[?(@.type=="Ready")].status'), 'True');
    assert.equal(evalPath(o, '.status.conditions[0].type'), 'A');
    assert.equal(evalPath(o, '.spec.missing'), undefined);
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  // Keys that collide between target and patch, so merges, deletes and replacements all happen.
  const key = fc.constantFrom('a', 'b', 'c', 'metadata', 'spec');
  const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 3 }), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(key, tie('v'), { maxKeys: 4 })),
  })).v;

  it('gives what json-merge-patch gives, without touching the target', () => {
    fc.assert(
      fc.property(fc.dictionary(key, json, { maxKeys: 5 }), json, (target, patch) => {
        const before = JSON.stringify(target);
        const want = referenceMergePatch(structuredClone(target), structuredClone(patch));
        // As JSON: key order included, prototypes aside (fast-check's dictionaries have none).
        assert.equal(JSON.stringify(mergePatch(target, patch)), JSON.stringify(want));
        assert.equal(JSON.stringify(target), before, 'the target is never mutated');
      }),
      { numRuns: 500 },
    );
  });
});

describe('list items from the watch encoding', () => {
  const member = fc.tuple(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }));
  const typed = fc.record({
    order: fc.constantFrom('apiVersion-first', 'kind-first', 'metadata-first', 'kind-missing'),
    apiVersion: fc.string({ maxLength: 8 }),
    kind: fc.string({ maxLength: 8 }),
    rest: fc.array(member, { maxLength: 5 }),
  });
  function build(t: { order: string; apiVersion: string; kind: string; rest: [string, unknown][] }): KubeObject {
    const o: Record<string, unknown> = {};
    const meta = { name: 'x', namespace: 'default' };
    if (t.order === 'metadata-first') o['metadata'] = meta;
    if (t.order === 'kind-first') o['kind'] = t.kind;
    o['apiVersion'] = t.apiVersion;
    if (t.order === 'apiVersion-first' || t.order === 'metadata-first') o['kind'] = t.kind;
    o['metadata'] = meta;
    for (const [k, v] of t.rest) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata') o[k] = v;
    return o as KubeObject;
  }

  it('is the object stringified without kind and apiVersion, or undefined when they do not lead', () => {
    fc.assert(
      fc.property(typed, (t) => {
        const o = build(t);
        const { kind: _k, apiVersion: _a, ...rest } = o;
        const got = withoutTypeMeta(o, JSON.stringify(o));
        const leads = t.order === 'apiVersion-first' || t.order === 'kind-first';
        // An integer-like key ("0") is ordered before every other key by the object itself.
        const integerKeyFirst = Object.keys(o)[0] !== (t.order === 'kind-first' ? 'kind' : 'apiVersion');
        if (leads && !integerKeyFirst) assert.equal(got, JSON.stringify(rest));
        else assert.equal(got, undefined);
      }),
      { numRuns: 500 },
    );
  });

  it('serves the same list item whether or not the object was encoded whole first', () => {
    const o = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n\u00e9' } } as KubeObject;
    const cold = new Encoder().listItem(o).toString();
    const warm = new Encoder();
    warm.object(o);
    assert.equal(warm.listItem(o).toString(), cold);
    assert.equal(cold, '{"metadata":{"name":"p","namespace":"default"},"spec":{"nodeName":"n\u00e9"}}');
  });
});
