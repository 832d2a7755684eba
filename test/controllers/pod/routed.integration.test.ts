// The pod reconciler over a real local NB ovsdb-server (issue 14): a scheduled pod costs one NB
// transaction (its port and its `<subnet>.<node>` membership) and one pod patch that carries the
// allocation and `routed` together; an unscheduled pod is routed by a second patch once it is
// scheduled. Each patch is checked against what NB holds at the moment it is sent (DESIGN §10:
// the CNI waits for `routed` only once the port exists and is in its node's group).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HELD_SLOT } from '../../../src/kube/index.js';
import { desiredNorthbound } from '../../../src/controllers/ovn/desired.js';
import { createOvnPodNetwork } from '../../../src/controllers/ovn/pod-network.js';
import { createPodReconciler } from '../../../src/controllers/pod/reconcile.js';
import type { Pod } from '../../../src/controllers/pod/rules.js';
import { parseNbAddr } from '../../../src/config/ovn.js';
import { RESOURCES } from '../../../src/kube/index.js';
import type { KubeObject, PatchOptions, Resource } from '../../../src/kube/index.js';
import { createLogger } from '../../../src/log/index.js';
import { createNbNetwork, createOvsdbClient, NB_TABLES } from '../../../src/ovn/index.js';
import type { NbNetwork, OvsdbClient } from '../../../src/ovn/index.js';
import { holds } from '../../../src/ovn/nb-rows.js';
import { ANN, podObject, subnetObject } from '../../support/objects.js';
import { until } from '../../support/poll.js';
import { ovnMissing, startLocalOvn } from '../../support/ovn/local-ovn.js';
import type { LocalOvn } from '../../support/ovn/local-ovn.js';
import { fakeContext } from '../fake-context.js';

const missing = ovnMissing();
if (missing !== undefined) process.stderr.write(`\n*** SKIPPING the pod-routed NB integration tests: ${missing} ***\n\n`);

const logger = createLogger({ level: 'silent' });
const signal = new AbortController().signal;
const ROUTED = 'ovn.kubernetes.io/routed';
const NODE = 'kube-1';
const GROUP = 'ovn.default.kube.1';

type Annotations = Record<string, string>;
/** One pod patch as sent, with the NB state read (ovn-nbctl) just before it reached the API. */
interface SentPatch {
  readonly pod: string;
  readonly annotations: Annotations;
  readonly portUuid: string;
  readonly groupPorts: readonly string[];
}

describe('pod reconciler on a local NB: one NB transaction and one patch per scheduled pod', { skip: missing }, () => {
  let ovn: LocalOvn;
  let client: OvsdbClient;
  let nb: NbNetwork;
  let transacts = 0;

  const nbctl = async (...args: string[]) => (await ovn.exec('ovn-nbctl', [`--db=${ovn.nb[0]?.unix}`, ...args])).trim();
  const groupPorts = async () => (await nbctl('--bare', '--columns=ports', 'find', 'Port_Group', `name=${GROUP}`)).split(/\s+/).filter(Boolean);

  before(async () => {
    ovn = await startLocalOvn();
    const latency = { record: (_ms: number, a: { method: string }) => void (a.method === 'transact' && transacts++) };
    client = createOvsdbClient({ endpoints: parseNbAddr(ovn.nbAddr, 'test'), database: 'OVN_Northbound', tables: NB_TABLES, callTimeoutMs: 10_000, connectTimeoutMs: 2_000, inactivityTimeoutMs: 5_000, logger, latency });
    client.start();
    assert.equal(await client.whenSynced(10_000), true);
    nb = createNbNetwork({ client, router: 'ovn-cluster', nodeSwitch: 'join', nodeSwitchGateways: ['100.64.0.1'], logger, timeoutMs: 10_000 });
    for (const r of [
      await nb.ensureRouter(),
      await nb.ensureSubnet({ name: 'join', cidrs: ['100.64.0.0/16'], gateways: ['100.64.0.1'] }),
      await nb.ensureSubnet({ name: 'ovn-default', cidrs: ['10.16.0.0/16'], gateways: ['10.16.0.1'] }),
      await nb.ensureNode({ node: NODE, joinIps: ['100.64.0.2'], mac: '0a:00:00:00:00:02', internalIps: ['172.18.0.2'], subnets: ['ovn-default'] }),
    ]) assert.equal(r.ok, true, JSON.stringify(r));
  });
  after(async () => {
    await client?.close();
    await ovn?.stop();
  });

  function setup() {
    const f = fakeContext({ podNetwork: createOvnPodNetwork(nb), nb });
    f.caches.subnets.put(subnetObject('ovn-default', { cidrBlock: '10.16.0.0/16' }));
    assert.equal(f.ctx.term.ipam.upsertSubnet({ name: 'ovn-default', cidrBlock: '10.16.0.0/16' }).ok, true);
    const sent: SentPatch[] = [];
    const mergePatch = f.client.mergePatch.bind(f.client) as (r: Resource, name: string, patch: unknown, o?: PatchOptions) => Promise<KubeObject>;
    f.client.mergePatch = async (r: Resource, name: string, patch: unknown, o?: PatchOptions): Promise<never> => {
      if (r === RESOURCES.pods) {
        const annotations = (patch as { metadata: { annotations: Annotations } }).metadata.annotations;
        sent.push({ pod: name, annotations, portUuid: await nbctl('--bare', '--columns=_uuid', 'find', 'Logical_Switch_Port', `name=${name}.ns`), groupPorts: await groupPorts() });
      }
      return (await mergePatch(r, name, patch, o)) as never;
    };
    // The fake IPAM's random source is constant, so each pod brings its MAC (a static request).
    let macs = 0;
    const addPod = (name: string, nodeName: string | undefined): void => {
      const mac = `0a:00:00:00:01:${(macs++).toString(16).padStart(2, '0')}`;
      const p = podObject('ns', name, { annotations: { [ANN.mac]: mac }, ...(nodeName === undefined ? {} : { nodeName }) }) as Pod;
      if (nodeName === undefined) delete p.spec?.nodeName;
      f.client.seed(RESOURCES.pods, p);
      f.caches.pods.put(p);
    };
    /** Transactions and API writes of one reconcile. */
    const reconcile = async (key: string) => {
      const [tx0, w0] = [transacts, f.client.writes.length];
      const outcome = await createPodReconciler(f.ctx)(key, signal, HELD_SLOT);
      return { outcome, transactions: transacts - tx0, writes: f.client.writes.slice(w0).map((w) => `${w.verb} ${w.resource} ${w.name}`) };
    };
    return { ...f, sent, addPod, reconcile };
  }

  it('writes a scheduled pod\'s port and group membership in one transaction, then one patch carrying the allocation and routed', async () => {
    const { addPod, reconcile, sent, deliver } = setup();
    addPod('a', NODE);
    const first = await reconcile('ns/a');
    assert.deepEqual(first, { outcome: { kind: 'done' }, transactions: 1, writes: ['create ips a.ns', 'mergePatch pods ns/a'] });
    assert.equal(sent.length, 1);
    const [patch] = sent;
    assert.equal(patch?.annotations[ANN.allocated], 'true');
    assert.equal(patch?.annotations[ANN.ip], '10.16.0.2');
    assert.equal(patch?.annotations[ROUTED], 'true');
    assert.match(patch?.portUuid ?? '', /^[0-9a-f-]{36}$/, 'the port existed when the patch was sent');
    assert.ok(patch?.groupPorts.includes(patch.portUuid), `port ${patch?.portUuid} was in ${GROUP} when routed was written: ${JSON.stringify(patch?.groupPorts)}`);
    // The pod as the watch delivers it after the patch: nothing left to write, in NB or the API.
    deliver();
    assert.deepEqual(await reconcile('ns/a'), { outcome: { kind: 'done' }, transactions: 0, writes: [] });
  });

  it('routes an unscheduled pod with a second patch once it is scheduled, after its port joined the group', async () => {
    const { addPod, reconcile, sent, client, deliver } = setup();
    addPod('b', undefined);
    const first = await reconcile('ns/b');
    assert.deepEqual(first, { outcome: { kind: 'done' }, transactions: 1, writes: ['create ips b.ns', 'mergePatch pods ns/b'] });
    assert.equal(sent[0]?.annotations[ANN.allocated], 'true');
    assert.equal(sent[0]?.annotations[ROUTED], undefined, 'not routed before it has a node');
    assert.equal((await groupPorts()).includes(sent[0]?.portUuid ?? '?'), false, 'not in a node group yet');

    const stored = client.stored(RESOURCES.pods, 'ns/b') as Pod;
    client.seed(RESOURCES.pods, { ...stored, spec: { ...stored.spec, nodeName: NODE } });
    deliver();
    const second = await reconcile('ns/b');
    assert.deepEqual(second, { outcome: { kind: 'done' }, transactions: 1, writes: ['mergePatch ips b.ns', 'mergePatch pods ns/b'] }, 'the IP object records the node; the pod gets routed');
    assert.deepEqual(sent[1]?.annotations, { [ROUTED]: 'true' });
    assert.ok(sent[1]?.groupPorts.includes(sent[1].portUuid), `port ${sent[1]?.portUuid} was in ${GROUP} when routed was written`);
  });

  it('repairs a scheduled pod\'s lost group membership with the same request the pod flow makes', async () => {
    const { addPod, reconcile, sent, ctx } = setup();
    addPod('d', NODE);
    await reconcile('ns/d');
    const port = sent[0]?.portUuid ?? '';
    assert.ok((await groupPorts()).includes(port));
    await nbctl('remove', 'Port_Group', GROUP, 'ports', port);
    const cached = () => [...(nb.cache.tables.get('Port_Group')?.values() ?? [])].find((g) => g['name'] === GROUP);
    await until(() => { const g = cached(); return g !== undefined && !holds(g, 'ports', port); }, 'the removal reached the cache');
    const repaired = await nb.repair(desiredNorthbound(ctx));
    assert.equal(repaired.failed, 0);
    assert.ok(repaired.drift.some((d) => d.key === 'port/d.ns' && d.table === 'Port_Group'), JSON.stringify(repaired.drift));
    assert.ok((await groupPorts()).includes(port), 'membership back');
  });

  it('coalesces the NB steps of scheduled pods reconciled at once into fewer transactions than pods', async () => {
    const { addPod, sent, ctx } = setup();
    const names = Array.from({ length: 16 }, (_, i) => `c${i}`);
    for (const n of names) addPod(n, NODE);
    const tx0 = transacts;
    const reconcile = createPodReconciler(ctx);
    const outcomes = await Promise.all(names.map((n) => reconcile(`ns/${n}`, signal, HELD_SLOT)));
    assert.deepEqual(new Set(outcomes.map((o) => o.kind)), new Set(['done']));
    assert.ok(transacts - tx0 < names.length, `${transacts - tx0} transactions for ${names.length} pods`);
    assert.equal(sent.length, names.length, 'one patch per pod');
    for (const p of sent) {
      assert.equal(p.annotations[ROUTED], 'true', p.pod);
      assert.ok(p.groupPorts.includes(p.portUuid), `${p.pod}: in ${GROUP} before routed`);
    }
  });
});
