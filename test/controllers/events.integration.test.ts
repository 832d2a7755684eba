/** The Event recorder against the local API server double: repeats become one Event with a count. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEventRecorder } from '../../src/controllers/events.js';
import { RESOURCES } from '../../src/kube/index.js';
import { createLogger } from '../../src/log/index.js';
import { createNamespace, listEvents, startEnv } from './support.js';
import { podObject } from '../support/objects.js';
import type { Env } from './support.js';
import type { KubeObject } from '../../src/kube/index.js';

let env: Env;

before(async () => {
  env = await startEnv();
});
after(async () => {
  await env.close();
});

describe('event recorder against the local API server', () => {
  it('records 7 repeated failures as one Event with count 7, the rest as PATCHes of it', async () => {
    await createNamespace(env.client, 'ev');
    const pod = await env.client.create<KubeObject>(RESOURCES.pods, podObject('ev', 'failing'));
    let t = Date.parse('2026-03-04T05:06:07Z');
    const clock = { now: () => t, setTimer: () => () => {} };
    const recorder = createEventRecorder({ client: env.newClient(), logger: createLogger({ level: 'silent' }), clock, host: 'node-1' });
    const creates = env.api.countRequests('POST', /^\/api\/v1\/namespaces\/ev\/events$/);
    const patches = env.api.countRequests('PATCH', /^\/api\/v1\/namespaces\/ev\/events\//);
    for (let i = 0; i < 7; i++) {
      recorder.record(RESOURCES.pods, pod, 'Warning', 'AcquireAddressFailed', 'NoAvailableAddress: subnet ovn-default has no free address');
      await recorder.idle();
      t += 10_000;
    }
    const events = await listEvents(env.client, 'ev');
    assert.equal(events.length, 1, 'one Event');
    const e = events[0] as KubeObject;
    assert.equal(e['count'], 7);
    assert.equal(e['firstTimestamp'], '2026-03-04T05:06:07Z');
    assert.equal(e['lastTimestamp'], '2026-03-04T05:07:07Z');
    assert.equal(e['reason'], 'AcquireAddressFailed');
    assert.deepEqual([creates(), patches()], [1, 6]);
    // A different failure of the same pod is an Event of its own.
    recorder.record(RESOURCES.pods, pod, 'Warning', 'AcquireAddressFailed', 'AddressConflict: 10.16.0.5 is taken');
    await recorder.idle();
    assert.deepEqual((await listEvents(env.client, 'ev')).map((x) => x['count']).sort(), [1, 7]);
  });
});
