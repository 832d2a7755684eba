import { writeFile } from 'node:fs/promises';

/** Token the kubeconfig carries; the double accepts any credentials. */
export const KUBECONFIG_TOKEN = 'local-apiserver-test-token';

/**
 * A kubeconfig for `http://` that kubectl and client-node's `loadFromFile` accept unchanged
 * (client-node refuses plain http unless `insecure-skip-tls-verify: true`).
 */
export function kubeconfigYaml(url: string, namespace = 'default'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: local',
    '  cluster:',
    `    server: ${url}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: local',
    '  user:',
    `    token: ${KUBECONFIG_TOKEN}`,
    'contexts:',
    '- name: local',
    '  context:',
    '    cluster: local',
    '    user: local',
    `    namespace: ${namespace}`,
    'current-context: local',
    '',
  ].join('\n');
}

export async function writeKubeconfig(path: string, url: string): Promise<void> {
  await writeFile(path, kubeconfigYaml(url), { mode: 0o600 });
}
