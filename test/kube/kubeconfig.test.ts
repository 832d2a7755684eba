// Issue 10, case 4: a kubeconfig `server` that is not an API server URL is refused at load.
import { strict as assert } from 'node:assert';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadKubeConfig, serverProblem } from '../../src/kube/kubeconfig.js';

async function kubeconfigWith(server: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'kc-')), 'kubeconfig');
  await writeFile(path, [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: c1, cluster: {server: ${JSON.stringify(server)}, insecure-skip-tls-verify: true}}]`,
    'users: [{name: u, user: {token: t}}]', 'contexts: [{name: x, context: {cluster: c1, user: u}}]', 'current-context: x', '',
  ].join('\n'));
  return path;
}

describe('kubeconfig server validation', () => {
  for (const server of ['127.0.0.1:6443', 'localhost:6443', 'ftp://10.0.0.1', 'https://', 'https://u:p@10.0.0.1:6443', 'https://10.0.0.1:6443/?x=1']) {
    it(`refuses server \`${server}\` naming the file and the field`, async () => {
      const path = await kubeconfigWith(server);
      const result = loadKubeConfig(path, '/nonexistent-home');
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.message, new RegExp(`^--kubeconfig: cannot use \`${path}\`: clusters\\[name="c1"\\]\\.cluster\\.server: expected an \`https://\` or \`http://\` URL`));
      assert.doesNotMatch(result.ok ? '' : result.message, /\n/);
    });
  }

  for (const server of ['https://10.0.0.1:6443', 'http://127.0.0.1:8080', 'https://[::1]:6443', 'https://api.example.test/prefix']) {
    it(`accepts server \`${server}\``, async () => {
      assert.equal(serverProblem(server), undefined);
      assert.equal(loadKubeConfig(await kubeconfigWith(server), '/nonexistent-home').ok, true);
    });
  }
});
