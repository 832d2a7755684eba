import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A kubeconfig whose server is written as people sometimes do: `host:port`, no scheme (issue 10 case 4). */
export async function schemelessKubeconfig(server = '127.0.0.1:6443'): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'schemeless-')), 'kubeconfig');
  await writeFile(path, [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: local, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]`,
    'users: [{name: u, user: {token: t}}]', 'contexts: [{name: x, context: {cluster: local, user: u}}]', 'current-context: x', '',
  ].join('\n'));
  return path;
}
