import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/** Where a pod's service-account credentials are mounted. */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export type KubeConfigResult = { ok: true; kubeconfig: KubeConfig; source: string } | { ok: false; message: string };

/**
 * Loads API server credentials: the given file (`--kubeconfig`/`KUBECONFIG`), else in-cluster
 * service-account credentials, else `~/.kube/config` (DESIGN §4's order). A missing or
 * unreadable file is a configuration error for the caller to report (exit 2); an API server
 * that does not answer is not an error here.
 */
export function loadKubeConfig(path: string, home: string = homedir()): KubeConfigResult {
  const kubeconfig = new KubeConfig();
  try {
    if (path !== '') {
      kubeconfig.loadFromFile(path);
      return checked(kubeconfig, path, `--kubeconfig: cannot use \`${path}\``);
    }
    if (existsSync(SERVICE_ACCOUNT_TOKEN)) {
      kubeconfig.loadFromCluster();
      return checked(kubeconfig, 'in-cluster', 'in-cluster credentials');
    }
    const homeConfig = defaultKubeconfigPath(home);
    if (existsSync(homeConfig)) {
      kubeconfig.loadFromFile(homeConfig);
      return checked(kubeconfig, homeConfig, `--kubeconfig: cannot use \`${homeConfig}\``);
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { ok: false, message: `--kubeconfig: cannot load \`${path || 'default'}\`: ${reason}` };
  }
  return {
    ok: false,
    message: `--kubeconfig: no API server credentials: not given, not running in a pod (${SERVICE_ACCOUNT_TOKEN} missing), and ${defaultKubeconfigPath(home)} does not exist`,
  };
}

function defaultKubeconfigPath(home: string): string {
  return join(home, '.kube', 'config');
}

function checked(kubeconfig: KubeConfig, source: string, what: string): KubeConfigResult {
  const cluster = kubeconfig.getCurrentCluster();
  if (cluster === null || cluster.server === '') return { ok: false, message: `${what}: the current context names no cluster server` };
  const problem = serverProblem(cluster.server);
  if (problem !== undefined) {
    // Found here, not at the first request: a server without a scheme made every request throw
    // after health was up, leaving a Ready process that never reconciled (issue 10, case 4).
    return { ok: false, message: `${what}: clusters[name=${JSON.stringify(cluster.name)}].cluster.server: ${problem}, got \`${cluster.server.slice(0, 200)}\`` };
  }
  return { ok: true, kubeconfig, source };
}

/** Why `server` is not an API server URL (`https://host[:port][/path]`), or undefined when it is one. */
export function serverProblem(server: string): string | undefined {
  const accepted = 'expected an `https://` or `http://` URL with a host, like `https://10.0.0.1:6443`';
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return accepted;
  }
  // `localhost:6443` parses as scheme `localhost:`: the scheme, not parsing, is the test.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return accepted;
  if (url.hostname === '') return accepted;
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') return `${accepted} (no query, fragment or credentials)`;
  return undefined;
}
