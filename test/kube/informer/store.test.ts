import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyWatchEvent, byIndex, byNamespace, createStore, getByKey, indexValues, ipsBySubnet, listAll, objectKey, podsByNode, replaceAll } from '../../../src/kube/informer/index.js';
import type { KubeObject } from '../../../src/kube/client/index.js';

function pod(name: string, rv: string, node?: string, namespace = 'default'): KubeObject {
  return { kind: 'Pod', metadata: { name, namespace, resourceVersion: rv }, spec: node === undefined ? {} : { nodeName: node } };
}
function ip(name: string, subnet: string, rv = '1'): KubeObject {
  return { kind: 'IP', metadata: { name, resourceVersion: rv, labels: { 'ovn.kubernetes.io/subnet': subnet } } };
}
function setup() {
  return createStore({ namespace: byNamespace, node: podsByNode, subnet: ipsBySubnet });
}

describe('store keys', () => {
  it('keys namespaced objects by namespace/name and cluster-scoped ones by name', () => {
    assert.equal(objectKey(pod('p1', '1')), 'default/p1');
    assert.equal(objectKey(ip('p1.default', 's1')), 'p1.default');
  });
});

describe('applyWatchEvent', () => {
  it('adds, updates and deletes, reporting each change', () => {
    const store = setup();
    assert.deepEqual(applyWatchEvent(store, 'ADDED', pod('p1', '1')), { type: 'added', object: pod('p1', '1') });
    assert.deepEqual(applyWatchEvent(store, 'MODIFIED', pod('p1', '2')), { type: 'updated', old: pod('p1', '1'), object: pod('p1', '2') });
    assert.deepEqual(applyWatchEvent(store, 'DELETED', pod('p1', '3')), { type: 'deleted', object: pod('p1', '3') });
    assert.equal(store.items.size, 0);
  });

  it('treats ADDED of a known object as an update and MODIFIED of an unknown one as an add', () => {
    const store = setup();
    assert.equal(applyWatchEvent(store, 'MODIFIED', pod('p1', '1'))?.type, 'added');
    assert.equal(applyWatchEvent(store, 'ADDED', pod('p1', '2'))?.type, 'updated');
  });

  it('ignores a delete of an object it never had', () => {
    const store = setup();
    assert.equal(applyWatchEvent(store, 'DELETED', pod('ghost', '1')), undefined);
  });

  it('moves an object between index values when the indexed field changes', () => {
    const store = setup();
    applyWatchEvent(store, 'ADDED', pod('p1', '1', 'node-a'));
    applyWatchEvent(store, 'ADDED', pod('p2', '2', 'node-a'));
    applyWatchEvent(store, 'MODIFIED', pod('p1', '3', 'node-b'));
    assert.deepEqual(byIndex(store, 'node', 'node-a').map((p) => p.metadata.name), ['p2']);
    assert.deepEqual(byIndex(store, 'node', 'node-b').map((p) => p.metadata.name), ['p1']);
    applyWatchEvent(store, 'DELETED', pod('p2', '4', 'node-a'));
    assert.deepEqual(indexValues(store, 'node'), ['node-b']);
  });

  it('indexes pods by namespace and IPs by subnet label', () => {
    const store = setup();
    applyWatchEvent(store, 'ADDED', pod('p1', '1', undefined, 'team-a'));
    applyWatchEvent(store, 'ADDED', ip('p1.team-a', 'subnet-1'));
    applyWatchEvent(store, 'ADDED', ip('p2.team-a', 'subnet-2'));
    assert.deepEqual(byIndex(store, 'namespace', 'team-a').map(objectKey), ['team-a/p1']);
    assert.deepEqual(byIndex(store, 'subnet', 'subnet-2').map(objectKey), ['p2.team-a']);
    assert.deepEqual(byIndex(store, 'subnet', 'none'), []);
  });

  it('throws for an index that was never declared', () => {
    assert.throws(() => byIndex(setup(), 'colour', 'red'), /index "colour" does not exist/);
  });
});

describe('replaceAll', () => {
  it('synthesises deletes for vanished objects, updates for changed ones, adds for new ones', () => {
    const store = setup();
    for (const p of [pod('keep', '1'), pod('change', '2'), pod('gone', '3')]) applyWatchEvent(store, 'ADDED', p);
    const deltas = replaceAll(store, [pod('keep', '1'), pod('change', '7'), pod('new', '8')]);
    assert.deepEqual(deltas.map((d) => [d.type, d.object.metadata.name]), [['deleted', 'gone'], ['updated', 'change'], ['added', 'new']]);
    assert.deepEqual(listAll(store).map(objectKey).sort(), ['default/change', 'default/keep', 'default/new']);
    assert.equal(getByKey(store, 'default/change')?.metadata.resourceVersion, '7');
  });

  it('keeps indices consistent with the replaced contents', () => {
    const store = setup();
    applyWatchEvent(store, 'ADDED', pod('p1', '1', 'node-a'));
    replaceAll(store, [pod('p2', '2', 'node-b')]);
    assert.deepEqual(indexValues(store, 'node'), ['node-b']);
    assert.deepEqual(byIndex(store, 'node', 'node-a'), []);
  });
});
