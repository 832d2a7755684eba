import { parseConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import type { Container } from './render.js';

/** Values the kubelet would put in for the Downward API fields the Deployment uses. */
const DOWNWARD: Readonly<Record<string, string>> = {
  'metadata.name': 'kube-ovn-controller-7d9f-abcde',
  'metadata.namespace': 'kube-system',
  'spec.nodeName': 'node-1',
  'status.podIPs': '192.168.0.11,fd00:10::11',
};

/**
 * Service environment variables the kubelet injects into every container for Services that
 * exist when the pod starts (here Kube-OVN's `ovn-nb`); `$(VAR)` may refer to them.
 */
export const SERVICE_ENV: Readonly<Record<string, string>> = { OVN_NB_SERVICE_HOST: '10.96.0.41', OVN_NB_SERVICE_PORT: '6641' };

/**
 * The container's env as the kubelet resolves it: Downward API fields filled in, and `$(VAR)`
 * expanded from variables defined earlier in the list (later ones are left as is, as kubelet does).
 */
export function resolveEnv(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) {
    const fieldPath = entry.valueFrom?.fieldRef?.fieldPath;
    if (fieldPath !== undefined) {
      const value = DOWNWARD[fieldPath];
      if (value === undefined) throw new Error(`env ${entry.name}: no test value for fieldRef ${fieldPath}`);
      env[entry.name] = value;
      continue;
    }
    env[entry.name] = (entry.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? SERVICE_ENV[name] ?? whole);
  }
  return env;
}

/** Runs the controller's own config parser over the container's args and resolved env. */
export function controllerConfig(container: Container): Config {
  const argv = (container['args'] as string[] | undefined) ?? [];
  const result = parseConfig({ argv, env: resolveEnv(container), version: '0.0.0-test', hostname: 'test-host' });
  if (result.kind !== 'ok') throw new Error(`the controller rejects the Deployment's settings: ${result.kind === 'error' ? result.message : result.kind}`);
  return result.config;
}

/** The controller's defaults (no flags, no env). */
export function defaultConfig(env: Record<string, string> = {}): Config {
  const result = parseConfig({ argv: [], env, version: '0.0.0-test', hostname: 'test-host' });
  if (result.kind !== 'ok') throw new Error(`default config rejected: ${result.kind === 'error' ? result.message : result.kind}`);
  return result.config;
}
