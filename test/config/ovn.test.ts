import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { setup } from './setup.js';

describe('OVN settings', () => {
  it('defaults to northbound off and Kube-OVN\'s values', () => {
    const { ok } = setup();
    assert.deepEqual(ok().ovn, {
      nb: { kind: 'off' }, timeoutMs: 60_000, connectTimeoutMs: 3_000, inactivityTimeoutMs: 10_000, clusterRouter: 'ovn-cluster',
      nodeSwitch: 'join', nodeSwitchCidr: '100.64.0.0/16', nodeSwitchGateway: '', gcIntervalMs: 360_000, inspectIntervalMs: 20_000, podNicType: 'veth-pair',
    });
  });

  it('reads a raft member list with IPv6 and ssl endpoints', () => {
    const { ok } = setup();
    const nb = ok(['--ovn-nb-addr=ssl:[fd00::1]:6641, ssl:10.0.0.2:6641', '--ovn-nb-ssl-key=/k', '--ovn-nb-ssl-cert=/c', '--ovn-nb-ssl-ca=/a']).ovn.nb;
    assert.deepEqual(nb, { kind: 'on', endpoints: [{ kind: 'ssl', host: 'fd00::1', port: 6641 }, { kind: 'ssl', host: '10.0.0.2', port: 6641 }], tls: { keyFile: '/k', certFile: '/c', caFile: '/a' } });
  });

  it('takes integer seconds and Go durations for the time flags', () => {
    const { ok } = setup();
    assert.equal(ok(['--ovn-timeout=60']).ovn.timeoutMs, 60_000);
    assert.equal(ok(['--ovn-timeout=1m30s']).ovn.timeoutMs, 90_000);
    assert.equal(ok(['--gc-interval=360']).ovn.gcIntervalMs, 360_000);
    assert.equal(ok(['--ovsdb-con-timeout=500ms']).ovn.connectTimeoutMs, 500);
  });

  const BAD: readonly [string, string][] = [
    ['--ovn-nb-addr=tcp:10.0.0.1', '--ovn-nb-addr: expected a comma list of `tcp:IP:PORT`, `ssl:IP:PORT` or `unix:PATH` (IPv6 as `tcp:[::1]:6641`), got `tcp:10.0.0.1` in `tcp:10.0.0.1`'],
    ['--ovn-nb-addr=tcp:ovn-nb:6641', '--ovn-nb-addr: expected a comma list of `tcp:IP:PORT`, `ssl:IP:PORT` or `unix:PATH` (IPv6 as `tcp:[::1]:6641`), got `tcp:ovn-nb:6641` in `tcp:ovn-nb:6641`'],
    ['--ovn-nb-addr=tcp:::1:6641', '--ovn-nb-addr: expected a comma list of `tcp:IP:PORT`, `ssl:IP:PORT` or `unix:PATH` (IPv6 as `tcp:[::1]:6641`), got `tcp:::1:6641` in `tcp:::1:6641`'],
    ['--ovn-nb-addr=http:1.2.3.4:80', '--ovn-nb-addr: expected a comma list of `tcp:IP:PORT`, `ssl:IP:PORT` or `unix:PATH` (IPv6 as `tcp:[::1]:6641`), got `http:1.2.3.4:80` in `http:1.2.3.4:80`'],
    ['--ovn-timeout=0', '--ovn-timeout: expected integer seconds or a Go duration, more than 0 and at most 596h31m23s647ms, got `0`'],
    ['--gc-interval=-5s', '--gc-interval: expected integer seconds or a Go duration, 0 (off) or more and at most 596h31m23s647ms, got `-5s`'],
    ['--ovn-timeout=soon', '--ovn-timeout: expected a duration like `500ms`, `30s`, `1m30s` or `2h`, got `soon`'],
    ['--node-switch-cidr=100.64.0.0', '--node-switch-cidr: expected a CIDR like `10.16.0.0/16`, or an IPv4 and an IPv6 CIDR separated by a comma (dual stack), got `100.64.0.0`'],
    ['--pod-nic-type=macvlan', '--pod-nic-type: expected `veth-pair` or `internal-port`, got `macvlan`'],
  ];
  for (const [arg, message] of BAD) {
    it(`refuses ${arg} with one line`, () => {
      const { error } = setup();
      assert.equal(error([arg]), message);
    });
  }

  it('refuses an empty key path when an ssl endpoint is listed', () => {
    const { error } = setup();
    assert.equal(error(['--ovn-nb-addr=ssl:10.0.0.1:6641', '--ovn-nb-ssl-key=']), '--ovn-nb-ssl-key: expected a PEM file path (--ovn-nb-addr has an ssl: endpoint), got ``');
  });

  it('says in --help that an unset NB address turns northbound off', () => {
    const result = setup().run(['--help']);
    assert.equal(result.kind, 'help');
    assert.match(result.kind === 'help' ? result.text : '', /--ovn-nb-addr <list>, \$OVN_NB_ADDR[\s\S]*northbound programming OFF/);
  });
});
