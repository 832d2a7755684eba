import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/log/index.js';
import { createNbNetwork, createOvsdbClient, NB_TABLES } from '../../src/ovn/index.js';
import { freePort } from '../support/ports.js';

describe('northbound unreachable', () => {
  it('fails readiness with the reason and returns Unavailable within the timeout, writing nothing', async () => {
    const port = await freePort(); // nothing listens there
    const logger = createLogger({ level: 'silent' });
    const client = createOvsdbClient({ endpoints: [{ kind: 'tcp', host: '127.0.0.1', port }], database: 'OVN_Northbound', tables: NB_TABLES, callTimeoutMs: 300, connectTimeoutMs: 100, inactivityTimeoutMs: 0, logger, backoff: { initialMs: 20, maxMs: 50 } });
    client.start();
    const nb = createNbNetwork({ client, router: 'ovn-cluster', nodeSwitch: 'join', nodeSwitchGateways: ['100.64.0.1'], logger, timeoutMs: 300 });
    try {
      const started = Date.now();
      const r = await nb.ensurePodPort({ pod: 'a', namespace: 'default', subnet: 'ovn-default', mac: '0a:00:00:00:00:01', ips: ['10.16.0.2'] });
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.reason, 'Unavailable');
      assert.ok(Date.now() - started < 3_000, 'bounded by the timeout');
      const ready = nb.readiness.run();
      assert.equal(ready.ok, false);
      assert.match(ready.ok ? '' : ready.reason, new RegExp(`northbound not connected: .*127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
    } finally {
      await client.close();
    }
  });
});
