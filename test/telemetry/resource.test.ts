import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildResource } from '../../src/telemetry/resource.js';
import { NO_POD, POD } from './fixtures.js';

function setup(overrides: Partial<Parameters<typeof buildResource>[0]> = {}) {
  return buildResource({ serviceName: 'kube-ovn-controller', version: '1.2.3', pod: POD, resourceAttributes: {}, randomId: () => 'random-id', ...overrides }).attributes;
}

describe('resource', () => {
  test('names the instance <namespace>.<pod>.<container> and carries the Downward API identity', () => {
    assert.deepEqual(setup(), {
      'service.name': 'kube-ovn-controller',
      'service.version': '1.2.3',
      'service.instance.id': 'kube-system.kube-ovn-controller-7d9f.kube-ovn-controller',
      'k8s.pod.name': 'kube-ovn-controller-7d9f',
      'k8s.namespace.name': 'kube-system',
      'k8s.node.name': 'node-1',
      'k8s.container.name': 'kube-ovn-controller',
    });
  });

  test('uses a random instance id and omits empty k8s attributes when the pod is unknown', () => {
    assert.deepEqual(setup({ pod: NO_POD }), { 'service.name': 'kube-ovn-controller', 'service.version': '1.2.3', 'service.instance.id': 'random-id' });
  });

  test('lets OTEL_RESOURCE_ATTRIBUTES override derived attributes but not service.name', () => {
    const attributes = setup({ resourceAttributes: { 'service.name': 'other', 'k8s.node.name': 'explicit', team: 'net' } });
    assert.equal(attributes['service.name'], 'kube-ovn-controller');
    assert.equal(attributes['k8s.node.name'], 'explicit');
    assert.equal(attributes.team, 'net');
  });
});
