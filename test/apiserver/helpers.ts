import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../support/apiserver/server.js';
export { kubectlMissing } from '../support/kubectl.js';
import type { ApiServer, ApiServerOptions } from '../support/apiserver/server.js';

export interface Harness {
  readonly server: ApiServer;
  readonly dir: string;
  readonly kubeconfig: string;
  /** fetch against the server with a JSON body and content type. */
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }>;
  /** Writes a manifest file into the temp dir and returns its path. */
  file(name: string, text: string): Promise<string>;
  close(): Promise<void>;
}

/** A fresh server on a free port with a kubeconfig in a temp dir; stored objects frozen, so a write that mutates one fails. */
export async function setup(options: ApiServerOptions = {}): Promise<Harness> {
  const server = await startApiServer({ freezeStored: true, ...options });
  const dir = await mkdtemp(join(tmpdir(), 'apiserver-test-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await server.writeKubeconfig(kubeconfig);
  return {
    server,
    dir,
    kubeconfig,
    async call(method, path, body, contentType = 'application/json') {
      const init: RequestInit = { method, headers: { 'Content-Type': contentType } };
      if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
      const res = await fetch(`${server.url}${path}`, init);
      const text = await res.text();
      return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), headers: res.headers };
    },
    async file(name, text) {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    },
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface WatchStream {
  /** Resolves with the next `n` parsed lines; rejects after `timeoutMs`. */
  next(n?: number, timeoutMs?: number): Promise<Array<{ type: string; object: Record<string, unknown> }>>;
  /** Resolves when the server ends the stream (true) or it errors (false). */
  readonly ended: Promise<boolean>;
  /** Lines received so far but not yet taken. */
  pending(): number;
  close(): void;
}

/** Opens a watch with plain fetch and splits the chunked body into JSON lines. */
export async function openWatch(url: string): Promise<WatchStream> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  if (res.status !== 200 || res.body === null) throw new Error(`watch ${url}: HTTP ${res.status}`);
  const queue: Array<{ type: string; object: Record<string, unknown> }> = [];
  let wake: (() => void) | undefined;
  let buffer = '';
  const decoder = new TextDecoder();
  const ended = (async () => {
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n')) >= 0) {
          queue.push(JSON.parse(buffer.slice(0, i)) as { type: string; object: Record<string, unknown> });
          buffer = buffer.slice(i + 1);
        }
        wake?.();
      }
      return true;
    } catch {
      return false;
    } finally {
      wake?.();
    }
  })();
  let done = false;
  void ended.then(() => (done = true));
  return {
    ended,
    pending: () => queue.length,
    async next(n = 1, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length < n) {
        if (done) throw new Error(`watch ended after ${queue.length} of ${n} lines`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${n} watch lines, have ${queue.length}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(left, 100)).unref();
        });
      }
      return queue.splice(0, n);
    },
    close: () => controller.abort(),
  };
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kubectl with this harness's kubeconfig; never rejects (the exit code is in the result). */
export function kubectl(h: Harness, args: readonly string[], timeoutMs = 20_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', h.kubeconfig, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

export function pod(name: string, extra: { labels?: Record<string, string>; nodeName?: string; finalizers?: string[] } = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: extra.labels ?? {}, ...(extra.finalizers !== undefined ? { finalizers: extra.finalizers } : {}) },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...(extra.nodeName !== undefined ? { nodeName: extra.nodeName } : {}) },
  };
}

export const SUBNET_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'subnets.kubeovn.io' },
  spec: {
    group: 'kubeovn.io',
    scope: 'Cluster',
    names: { plural: 'subnets', singular: 'subnet', kind: 'Subnet', listKind: 'SubnetList', shortNames: ['subnet'] },
    versions: [{
      name: 'v1', served: true, storage: true, subresources: { status: {} },
      additionalPrinterColumns: [
        { name: 'CIDR', type: 'string', jsonPath: '.spec.cidrBlock' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
      schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    }],
  },
};

export const IP_CRD = {
  ...SUBNET_CRD,
  metadata: { name: 'ips.kubeovn.io' },
  spec: { ...SUBNET_CRD.spec, scope: 'Namespaced', names: { plural: 'ips', singular: 'ip', kind: 'IP', listKind: 'IPList', shortNames: ['ip'] } },
};
