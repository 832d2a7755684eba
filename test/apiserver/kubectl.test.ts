import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { SUBNET_CRD, kubectl, kubectlMissing, setup } from './helpers.js';
import type { Harness } from './helpers.js';

const skip = kubectlMissing();

const POD_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: c
    image: nginx
`;

const SUBNET_YAML = `apiVersion: kubeovn.io/v1
kind: Subnet
metadata: {name: s1}
spec: {cidrBlock: 10.16.0.0/16}
`;

async function ok(h: Harness, args: string[]): Promise<string> {
  const r = await kubectl(h, args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

describe('kubectl against the local API server', { skip }, () => {
  it('reports the server version and lists resources with short names', async () => {
    const h = await setup();
    try {
      assert.match(await ok(h, ['version']), /Server Version: v1\.32\.0/);
      const resources = await ok(h, ['api-resources']);
      assert.match(resources, /^pods\s+po\s+v1\s+true\s+Pod$/m);
      assert.match(resources, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
      assert.match(await ok(h, ['get', 'ns']), /^kube-system\s+Active/m);
    } finally {
      await h.close();
    }
  });

  it('creates, applies, annotates, labels, patches and deletes a pod', async () => {
    const h = await setup();
    try {
      const file = await h.file('pod.yaml', POD_YAML);
      assert.match(await ok(h, ['create', '-f', file]), /pod\/web created/);
      assert.match(await ok(h, ['apply', '-f', file]), /pod\/web configured/);
      assert.match(await ok(h, ['apply', '-f', file]), /pod\/web unchanged/);
      assert.match(await ok(h, ['annotate', 'pod', 'web', 'note=hi']), /annotated/);
      assert.match(await ok(h, ['label', 'pod', 'web', 'tier=front']), /labeled/);
      await ok(h, ['patch', 'pod', 'web', '--type', 'merge', '-p', '{"metadata":{"labels":{"m":"1"}}}']);
      await ok(h, ['patch', 'pod', 'web', '--type', 'strategic', '-p', '{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}']);
      await ok(h, ['patch', 'pod', 'web', '--type', 'json', '-p', '[{"op":"add","path":"/metadata/annotations/j","value":"v"}]']);
      const obj = JSON.parse(await ok(h, ['get', 'pod', 'web', '-o', 'json'])) as { metadata: Record<string, Record<string, string>>; spec: { containers: Array<Record<string, string>> } };
      assert.deepEqual({ ...obj.metadata['labels'] }, { app: 'web', tier: 'front', m: '1' });
      assert.equal(obj.metadata['annotations']?.['note'], 'hi');
      assert.equal(obj.metadata['annotations']?.['j'], 'v');
      assert.equal(obj.spec.containers[0]?.['image'], 'nginx:2');
      assert.match(await ok(h, ['get', 'pods']), /^web\s+0\/1\s+Pending\s+0\s+\d+s$/m);
      assert.match(await ok(h, ['delete', 'pod', 'web']), /pod "web" deleted/);
      assert.match((await kubectl(h, ['get', 'pod', 'web'])).stderr, /pods "web" not found/);
    } finally {
      await h.close();
    }
  });

  it('applies a CRD, then serves its custom resources with printer columns and server-side apply', async () => {
    const h = await setup();
    try {
      const crd = await h.file('crd.json', JSON.stringify(SUBNET_CRD));
      assert.match(await ok(h, ['apply', '-f', crd]), /customresourcedefinition.apiextensions.k8s.io\/subnets.kubeovn.io created/);
      const subnet = await h.file('subnet.yaml', SUBNET_YAML);
      assert.match(await ok(h, ['apply', '-f', subnet]), /subnet.kubeovn.io\/s1 created/);
      assert.match(await ok(h, ['get', 'subnets']), /^NAME\s+CIDR\s+AGE\ns1\s+10\.16\.0\.0\/16\s+\d+s$/m);
      assert.match(await ok(h, ['get', 'subnet', 's1', '-o', 'jsonpath={.spec.cidrBlock}']), /^10\.16\.0\.0\/16$/);
      const sp = await kubectl(h, ['patch', 'subnet', 's1', '--type', 'strategic', '-p', '{"spec":{}}']);
      assert.match(sp.stderr, /application\/strategic-merge-patch\+json is not supported/);
      assert.match(await ok(h, ['apply', '--server-side', '-f', subnet]), /serverside-applied/);
      assert.match(await ok(h, ['delete', '-f', subnet]), /deleted/);
    } finally {
      await h.close();
    }
  });

  it('streams changes to kubectl get --watch until killed', async () => {
    const h = await setup();
    try {
      const file = await h.file('pod.yaml', POD_YAML);
      await ok(h, ['create', '-f', file]);
      const child = spawn('kubectl', ['--kubeconfig', h.kubeconfig, 'get', 'pods', '--watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      // One persistent listener: a flowing stream drops chunks while no 'data' listener is attached.
      const lines = async (n: number): Promise<void> => {
        const deadline = Date.now() + 10_000;
        while (out.split('\n').filter((l) => l !== '').length < n) {
          if (Date.now() > deadline) throw new Error(`kubectl --watch printed: ${out} ${err}`);
          await new Promise((done) => setTimeout(done, 20));
        }
      };
      try {
        await lines(2);
        await ok(h, ['label', 'pod', 'web', 'x=y']);
        await lines(3);
      } finally {
        child.kill('SIGTERM');
      }
      assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb\s+0\/1\s+Pending\s+0\s+\d+s\nweb\s+0\/1\s+Pending/);
    } finally {
      await h.close();
    }
  });
});
