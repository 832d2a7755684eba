// The registered reconcilers describe themselves consistently: what the manager wires is what they declare.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTROLLER_NAMES, RECONCILERS } from '../../src/controllers/index.js';
import { noopInstruments } from '../../src/telemetry/noop-instruments.js';

describe('reconciler registry', () => {
  it('runs subnet, node, pod, ip and the northbound upkeep in that order (subnets first: pods wait for them; nodes before pods), each under a distinct controller name', () => {
    assert.deepEqual(RECONCILERS.map((r) => r.name), [CONTROLLER_NAMES.subnet, CONTROLLER_NAMES.node, CONTROLLER_NAMES.pod, CONTROLLER_NAMES.ip, CONTROLLER_NAMES.ovn]);
    assert.equal(new Set(RECONCILERS.map((r) => r.name)).size, RECONCILERS.length);
  });

  it('names only instruments the catalogue has', () => {
    const catalogue = new Set(Object.keys(noopInstruments()));
    for (const r of RECONCILERS) for (const name of r.records) assert.ok(catalogue.has(name), `${r.name} records ${name}, which the catalogue lacks`);
  });

  it('watches only caches the manager runs, and each watch maps at least one kind of event', () => {
    const caches = new Set(['pods', 'namespaces', 'subnets', 'ips', 'nodes']);
    for (const r of RECONCILERS) {
      for (const w of r.watches) {
        assert.ok(caches.has(w.cache), `${r.name} watches ${w.cache}`);
        assert.ok(w.onAdd !== undefined || w.onUpdate !== undefined || w.onDelete !== undefined, `${r.name} watch of ${w.cache} maps no event`);
      }
    }
  });
});
