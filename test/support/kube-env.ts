import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiServer } from './apiserver/index.js';
import type { ApiServer } from './apiserver/index.js';

/** Kube-OVN's CRDs, as shipped in deploy/. */
export const CRD_FILES: readonly string[] = ['subnets.kubeovn.io.yaml', 'ips.kubeovn.io.yaml'].map((f) =>
  fileURLToPath(new URL(`../../deploy/crds/${f}`, import.meta.url)),
);

export interface KubeEnv {
  readonly api: ApiServer;
  readonly kubeconfig: string;
  /** Environment for a spawned controller: kubeconfig and Downward API identity. */
  env(podName?: string): Record<string, string>;
  close(): Promise<void>;
}

let counter = 0;

/** Starts the local API server on 127.0.0.1 with the CRDs applied and writes a kubeconfig for it. */
export async function startKube(options: { bookmarkIntervalMs?: number } = {}): Promise<KubeEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-env-'));
  const api = await startApiServer({ crds: CRD_FILES, ...(options.bookmarkIntervalMs === undefined ? {} : { bookmarkIntervalMs: options.bookmarkIntervalMs }) });
  const kubeconfig = join(dir, 'kubeconfig');
  await api.writeKubeconfig(kubeconfig);
  return {
    api,
    kubeconfig,
    env: (podName) => ({
      KUBECONFIG: kubeconfig,
      POD_NAMESPACE: 'kube-system',
      POD_NAME: podName ?? `kube-ovn-controller-test-${process.pid}-${++counter}`,
      NODE_NAME: 'node-1',
    }),
    close: async () => {
      await api.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
