import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatTime } from '../../../src/clock/index.js';
import { buildEvent, involvedObjectOf } from '../../../src/kube/client/index.js';

function setup() {
  const now = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'app', uid: 'u-1', resourceVersion: '42' } };
  return { now, pod };
}

describe('buildEvent', () => {
  it('writes a core/v1 Event about a pod with the controller as source', () => {
    const { now, pod } = setup();
    const event = buildEvent({ involvedObject: involvedObjectOf(pod, 'v1', 'Pod'), type: 'Warning', reason: 'NoAvailableAddress', message: 'subnet ovn-default is full' }, now);
    assert.equal(event.metadata.namespace, 'app');
    assert.match(event.metadata.name ?? '', /^web-1\.[0-9a-f]+$/);
    assert.deepEqual(event['involvedObject'], { apiVersion: 'v1', kind: 'Pod', name: 'web-1', namespace: 'app', uid: 'u-1', resourceVersion: '42' });
    assert.deepEqual(event['source'], { component: 'kube-ovn-controller' });
    assert.equal(event['type'], 'Warning');
    assert.equal(event['reason'], 'NoAvailableAddress');
    assert.equal(event['count'], 1);
    assert.equal(event['firstTimestamp'], '2026-01-02T03:04:05Z');
    assert.equal(event['lastTimestamp'], event['firstTimestamp']);
  });

  it('files events of cluster-scoped objects in the default namespace', () => {
    const { now } = setup();
    const event = buildEvent({ involvedObject: { apiVersion: 'kubeovn.io/v1', kind: 'Subnet', name: 's1' }, type: 'Normal', reason: 'Validated', message: 'ok', host: 'node-1' }, now);
    assert.equal(event.metadata.namespace, 'default');
    assert.deepEqual(event['source'], { component: 'kube-ovn-controller', host: 'node-1' });
  });

  it('gives distinct names to events a millisecond apart', () => {
    const { now, pod } = setup();
    const input = { involvedObject: involvedObjectOf(pod, 'v1', 'Pod'), type: 'Normal' as const, reason: 'R', message: 'm' };
    assert.notEqual(buildEvent(input, now).metadata.name, buildEvent(input, now + 1).metadata.name);
    assert.notEqual(buildEvent(input, now, 1).metadata.name, buildEvent(input, now, 2).metadata.name, 'same millisecond, another write');
  });

  it('carries a counted series: count and first/last timestamps', () => {
    const { now, pod } = setup();
    const event = buildEvent({ involvedObject: involvedObjectOf(pod, 'v1', 'Pod'), type: 'Warning', reason: 'R', message: 'm', count: 4, firstMs: now - 60_000, lastMs: now }, now);
    assert.equal(event['count'], 4);
    assert.ok(Date.parse(String(event['firstTimestamp'])) <= now - 59_000);
    assert.equal(Date.parse(String(event['lastTimestamp'])), Math.floor(now / 1000) * 1000);
  });

  it('formats metav1.Time with second precision', () => {
    assert.equal(formatTime(Date.UTC(2026, 4, 6, 7, 8, 9, 999)), '2026-05-06T07:08:09Z');
  });
});
