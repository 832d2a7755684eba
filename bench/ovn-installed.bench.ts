/**
 * Pod ports to `ovn-installed` on a local full OVN (northd, ovn-controller, dummy datapath):
 * N ports through createNbNetwork, then N dummy OVS interfaces plugged at once (what N
 * kube-ovn-cni invocations do), timed until ovn-controller has marked every one installed.
 * Run: node --import tsx bench/ovn-installed.bench.ts [pods=500]. Prints one JSON line.
 */
import { cpus } from 'node:os';
import { parseNbAddr } from '../src/config/ovn.js';
import { createLogger } from '../src/log/index.js';
import { createNbNetwork, createOvsdbClient, NB_TABLES } from '../src/ovn/index.js';
import { startLocalOvn } from '../test/support/ovn/local-ovn.js';

const count = Number(process.argv[2] ?? 500);
const logger = createLogger({ level: 'warn' });
const ovn = await startLocalOvn({ full: true });
try {
  const client = createOvsdbClient({ endpoints: parseNbAddr(ovn.nbAddr, 'bench'), database: 'OVN_Northbound', tables: NB_TABLES, callTimeoutMs: 60_000, connectTimeoutMs: 3_000, inactivityTimeoutMs: 10_000, logger });
  client.start();
  await client.whenSynced(10_000);
  const nb = createNbNetwork({ client, router: 'ovn-cluster', nodeSwitch: 'join', nodeSwitchGateways: ['100.64.0.1'], logger, timeoutMs: 60_000 });
  await nb.ensureRouter();
  await nb.ensureSubnet({ name: 'join', cidrs: ['100.64.0.0/16'], gateways: ['100.64.0.1'] });
  await nb.ensureSubnet({ name: 'ovn-default', cidrs: ['10.16.0.0/16'], gateways: ['10.16.0.1'] });
  await nb.ensureNode({ node: 'node-1', joinIps: ['100.64.0.2'], mac: '0a:00:00:00:00:02', internalIps: ['172.18.0.2'], subnets: ['ovn-default'] });
  const pods = Array.from({ length: count }, (_, i) => ({ pod: `p${i}`, namespace: 'bench', subnet: 'ovn-default', mac: `0a:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, ips: [`10.16.${(i + 2) >> 8}.${(i + 2) & 255}`] }));
  const t0 = performance.now();
  await Promise.all(pods.map((p) => nb.ensurePodPort(p)));
  await Promise.all(pods.map((p) => nb.setPortGroups(p, 'node-1')));
  const routedMs = performance.now() - t0;
  const vsctl = (...a: string[]) => ovn.exec('ovs-vsctl', [`--db=unix:${ovn.ovsSocket}`, '--timeout=60', ...a]);
  const t1 = performance.now();
  const cmds = pods.flatMap((p, i) => ['--', 'add-port', 'br-int', `v${i}`, '--', 'set', 'interface', `v${i}`, 'type=dummy', `external_ids:iface-id=${p.pod}.${p.namespace}`]);
  for (let i = 0; i < cmds.length; i += 11 * 100) await vsctl(...cmds.slice(i, i + 11 * 100));
  let installed = 0;
  while (installed < count && performance.now() - t1 < 300_000) {
    await new Promise((r) => setTimeout(r, 200));
    installed = (await vsctl('--bare', '--columns=name', 'find', 'interface', 'external_ids:ovn-installed="true"')).split('\n').filter(Boolean).length;
  }
  const installedMs = performance.now() - t1;
  await client.close();
  process.stdout.write(`${JSON.stringify({ bench: 'ovn-installed', pods: count, nbPortsAndGroupsMs: Math.round(routedMs), installed, pluggedToInstalledMs: Math.round(installedMs), perSecond: Math.round(count / (installedMs / 1000)), cpus: cpus().length, node: process.version, date: new Date().toISOString() })}\n`);
} finally {
  await ovn.stop();
}
