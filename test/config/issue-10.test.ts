// Issue 10 (fatal paths at load): the default subnet flags go through the Subnet compile step,
// the probe bounds have floors, and --leader-elect=false is warned about.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { setup } from './setup.js';
import type { Env } from './setup.js';

/** [argv, env, exact message]. */
const REFUSED: readonly (readonly [readonly string[], Env, string])[] = [
  [['--default-cidr=10.16.0.1/32'], {}, '--default-cidr: `10.16.0.1/32` has no usable address (/32) (given `10.16.0.1/32`)'],
  [[], { DEFAULT_CIDR: 'fd00::1/128' }, 'DEFAULT_CIDR: `fd00::1/128` has no usable address (/128) (given `fd00::1/128`)'],
  [['--default-cidr=127.0.0.0/16'], {}, '--default-cidr: `127.0.0.0/16` overlaps the reserved range 127.0.0.0/8 (given `127.0.0.0/16`)'],
  [['--default-gateway=10.17.0.1'], {}, '--default-gateway: `10.17.0.1` is not in cidrBlock 10.16.0.0/16 (given `10.17.0.1`)'],
  [['--default-gateway=10.16.0.0'], {}, '--default-gateway: `10.16.0.0` is the network number of 10.16.0.0/16 (given `10.16.0.0`)'],
  [['--default-exclude-ips=10.16.0.20..10.16.0.10'], {}, '--default-exclude-ips: `10.16.0.20..10.16.0.10` starts after it ends (given `10.16.0.20..10.16.0.10`)'],
  [['--default-cidr=10.16.0.0/16,fd00::/64', '--default-gateway=10.16.0.1,fd00::1%eth0'], {}, '--default-gateway: zone-scoped IPv6 addresses (`%<zone>`) are not subnet addresses, got `10.16.0.1,fd00::1%eth0`'],
  [['--default-cidr=fd00::/64', '--default-exclude-ips=fe80::1%eth0'], {}, '--default-exclude-ips: zone-scoped IPv6 addresses (`%<zone>`) are not subnet addresses, got `fe80::1%eth0`'],
  [['--event-loop-block-threshold=100ms'], {}, '--event-loop-block-threshold: expected at least 1s (shorter blocks are ordinary GC pauses, and probe results are published every 100ms), got `100ms`'],
  [[], { RECONCILE_STALL_TIMEOUT: '5s' }, 'RECONCILE_STALL_TIMEOUT: expected at least 1m (one reconcile may wait out an API request, whose timeout is 60s), got `5s`'],
];

describe('issue 10: fatal configuration at load', () => {
  for (const [argv, env, message] of REFUSED) {
    it(`stops on ${JSON.stringify({ argv, env })} with one line`, () => {
      const { error } = setup();
      assert.equal(error(argv, env), message);
    });
  }

  it('accepts the floors themselves and a default subnet the IPAM accepts, masking host bits', () => {
    const { ok } = setup();
    const c = ok(['--event-loop-block-threshold=1s', '--reconcile-stall-timeout=1m', '--default-cidr=10.16.0.5/16', '--default-gateway=10.16.0.254', '--default-exclude-ips=10.16.0.2..10.16.0.9']);
    assert.equal(c.health.eventLoopBlockThresholdMs, 1000);
    assert.equal(c.reconcileStallMs, 60_000);
    assert.deepEqual(c.defaultSubnet, { name: 'ovn-default', cidr: '10.16.0.0/16', gateway: '10.16.0.254', excludeIps: ['10.16.0.2..10.16.0.9'] });
  });

  it('warns loudly that --leader-elect=false is only safe with one replica', () => {
    const { warnings } = setup();
    const [line, ...rest] = warnings(['--leader-elect=false']);
    assert.deepEqual(rest, []);
    assert.match(line ?? '', /^--leader-elect=false: leader election is OFF .* only safe with exactly one replica/);
    assert.deepEqual(warnings([], { LEADER_ELECT: '0' }).length, 1);
    assert.deepEqual(warnings([]), []);
  });
});
