import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { startApiServer } from '../support/apiserver/index.js';
import { kubectlUnavailable, OVERLAYS, render } from './render.js';
import type { KubeObject } from './render.js';

/**
 * Applies the rendered manifests to the local API server (test/support/apiserver) with the real
 * kubectl. It serves a subset of kinds (core Pods, Namespaces, Events, Nodes, Leases, CRDs and
 * the custom resources they define); objects of other kinds are only checked to parse, by
 * overlays.test.ts.
 */

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function setup() {
  const api = await startApiServer();
  const dir = await mkdtemp(join(tmpdir(), 'deploy-apply-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await api.writeKubeconfig(kubeconfig);
  const kubectl = (args: readonly string[], stdin?: string): Promise<Run> =>
    new Promise((resolve) => {
      const child = execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
      });
      child.stdin?.end(stdin ?? '');
    });
  const ok = async (args: readonly string[], stdin?: string): Promise<string> => {
    const r = await kubectl(args, stdin);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** `Kind apiVersion` pairs the server's discovery lists. */
  const served = async (): Promise<Set<string>> => {
    const out = await ok(['api-resources', '--no-headers']);
    return new Set(out.split('\n').filter(Boolean).map((line) => {
      const cols = line.trim().split(/\s+/);
      return `${cols.at(-1) ?? ''} ${cols.at(-3) ?? ''}`;
    }));
  };
  const close = async (): Promise<void> => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { ok, served, close, dir };
}

function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

describe('applying the manifests to the local API server', { skip: kubectlUnavailable(), timeout: 120_000 }, () => {
  it('creates every served object of each overlay, then applies again without changes', async () => {
    for (const overlay of OVERLAYS) {
      const h = await setup();
      try {
        const objects = await render(`deploy/overlays/${overlay}`);
        const kinds = await h.served();
        const applicable = objects.filter((o) => kinds.has(`${o.kind} ${o.apiVersion}`));
        assert.ok(applicable.some((o) => o.kind === 'CustomResourceDefinition'), `${overlay}: nothing to apply`);
        const first = await h.ok(['apply', '--validate=false', '-f', '-'], toYaml(applicable));
        for (const o of applicable) assert.match(first, new RegExp(`/${o.metadata.name.replace(/\./g, '\\.')} (created|configured)`), `${overlay}: ${o.kind}/${o.metadata.name}`);
        const second = await h.ok(['apply', '--validate=false', '-f', '-'], toYaml(applicable));
        assert.equal(second.split('\n').filter((l) => l.trim() !== '' && !/ unchanged$/.test(l)).join('\n'), '', `${overlay}: second apply changed something`);
      } finally {
        await h.close();
      }
    }
  });

  it('serves Subnets and IPs from the applied CRDs with Kube-OVN\'s printer columns', async () => {
    const h = await setup();
    try {
      const crds = (await render('deploy/crds')).filter((o) => o.kind === 'CustomResourceDefinition');
      await h.ok(['apply', '--validate=false', '-f', '-'], toYaml(crds));
      const subnet = { apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: 'ovn-default' }, spec: { cidrBlock: '10.16.0.0/16', gateway: '10.16.0.1', protocol: 'IPv4', default: true, provider: 'ovn' } };
      assert.match(await h.ok(['apply', '--validate=false', '-f', '-'], stringify(subnet)), /subnet\.kubeovn\.io\/ovn-default created/);
      const table = await h.ok(['get', 'subnets']);
      assert.match(table, /^NAME\s+PROVIDER\s+VPC\s+PROTOCOL\s+CIDR\s+DEFAULT/m);
      assert.match(table, /^ovn-default\s+ovn\s+.*IPv4\s+10\.16\.0\.0\/16\s+true/m);
      const ip = { apiVersion: 'kubeovn.io/v1', kind: 'IP', metadata: { name: 'web.default' }, spec: { podName: 'web', namespace: 'default', subnet: 'ovn-default', nodeName: 'node-1', ipAddress: '10.16.0.2', v4IpAddress: '10.16.0.2', macAddress: '00:00:00:12:34:56' } };
      await h.ok(['apply', '--validate=false', '-f', '-'], stringify(ip));
      assert.match(await h.ok(['get', 'ips']), /^web\.default\s+10\.16\.0\.2\s+(?:<none>\s+)?00:00:00:12:34:56\s+node-1\s+ovn-default/m);
    } finally {
      await h.close();
    }
  });
});
