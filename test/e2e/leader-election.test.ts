// Issue 3's two-process proof: two BUILT controllers share the local API server and one Lease.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, probe } from '../support/kubelet.js';
import { startReplica } from '../support/replica.js';
import type { Replica } from '../support/replica.js';
import { startKube } from '../support/kube-env.js';
import type { KubeEnv } from '../support/kube-env.js';
import { apiClient } from '../support/objects.js';

const LEASE_MS = 3000;
const RETRY_MS = 500;
/** client-go jitters acquire attempts by up to 1.2 x the retry period on top of it. */
const RETRY_JITTER_MAX_MS = RETRY_MS * 2.2;
/**
 * Worst case from SIGKILL to a standby holding the lease, by client-go's rules: the standby starts
 * the lease clock when it *sees* the last renew (one jittered poll after it), the lease runs out a
 * lease duration later, and the standby acquires at its next jittered poll.
 */
const TAKEOVER_BOUND_MS = LEASE_MS + 2 * RETRY_JITTER_MAX_MS;
const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-ovn-controller';

const startElecting = (kube: KubeEnv, name: string): Promise<Replica> =>
  startReplica(kube, name, {
    args: [`--leader-elect-lease-duration=${LEASE_MS}ms`, '--leader-elect-renew-deadline=2s', `--leader-elect-retry-period=${RETRY_MS}ms`],
    readyTimeoutMs: 20_000,
  });

async function masterStatus(replica: Replica): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${replica.metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('leader_election_master_status{'));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('leader election between two built controllers', () => {
  let kube: KubeEnv;
  const replicas: Replica[] = [];
  before(async () => {
    kube = await startKube();
  });
  after(async () => {
    for (const r of replicas) if (r.ctl.proc.exitCode === null) r.ctl.kill('SIGKILL');
    await kube.close();
  });

  test('exactly one leads; SIGTERM hands over in under 2 s; SIGKILL hands over within the lease duration', async () => {
    const api = apiClient(kube.api.url);
    const holder = async (): Promise<string> => String((await api.get(LEASE_PATH)).spec?.['holderIdentity'] ?? '');
    replicas.push(await startElecting(kube, 'replica-a'), await startElecting(kube, 'replica-b'));
    let found: Replica | undefined;
    await eventually(async () => {
      const h = await holder();
      found = replicas.find((r) => r.name === h);
      return found !== undefined;
    }, 10_000, 'lease held by a replica');
    assert.ok(found);
    const leader: Replica = found;
    const standby = replicas.find((r) => r !== leader)!;

    await eventually(async () => (await masterStatus(leader)) === 1 && (await masterStatus(standby)) === 0, 10_000, 'master status 1 on the leader, 0 on the standby');
    // Both replicas are Ready: standbys serve health too.
    for (const r of replicas) assert.equal((await probe(r.healthPort, '/readyz')).body, 'ok');

    const stoppedAt = Date.now();
    leader.ctl.kill('SIGTERM');
    await eventually(async () => (await holder()) === standby.name, 5000, 'standby takes the released lease');
    const handoverMs = Date.now() - stoppedAt;
    assert.ok(handoverMs < 2000, `SIGTERM handover took ${handoverMs}ms, bound 2000ms`);
    assert.equal(await leader.ctl.exited(10_000), 0);
    await eventually(async () => (await masterStatus(standby)) === 1, 5000, 'new leader reports master status 1');

    const third = await startElecting(kube, 'replica-c');
    replicas.push(third);
    const killedAt = Date.now();
    standby.ctl.kill('SIGKILL');
    await eventually(async () => (await holder()) === third.name, TAKEOVER_BOUND_MS + 3000, 'replica-c takes the expired lease');
    const takeoverMs = Date.now() - killedAt;
    assert.ok(takeoverMs <= TAKEOVER_BOUND_MS, `SIGKILL takeover took ${takeoverMs}ms, bound lease ${LEASE_MS}ms + two jittered polls ${2 * RETRY_JITTER_MAX_MS}ms`);
    third.ctl.kill('SIGTERM');
    assert.equal(await third.ctl.exited(10_000), 0);
  });
});
