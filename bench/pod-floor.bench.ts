/**
 * The floor of the controller's CPU per pod: what any controller in Node.js pays for one pod
 * with this API, and nothing else. Per pod: decode and JSON.parse the two pod watch events
 * (ADDED, then the MODIFIED echo of its own patch; realistic ~8.9 KB pods) and the IP's ADDED
 * event, plus two requests over keep-alive node:http (POST the IP object, PATCH the pod's
 * annotations), each answer read to its end and dropped. No IPAM, no cache, no queue, no OVN,
 * no metrics. The server is a canned node:http responder in a child process, so its CPU is
 * not counted. Reported: CPU microseconds per pod (this process, user+system, all threads) for
 * the decoding alone, the requests alone, and both, best of `--runs`.
 * Run: node --import tsx bench/pod-floor.bench.ts [--pods 10000] [--concurrency 8] [--runs 3]
 * Prints one JSON line.
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { realisticPod } from './support/realistic-pod.js';

const { values } = parseArgs({ options: { pods: { type: 'string', default: '10000' }, concurrency: { type: 'string', default: '8' }, runs: { type: 'string', default: '3' } } });
const PODS = Number(values.pods);
const CONCURRENCY = Number(values.concurrency);

const ipObject = (i: number) => ({
  apiVersion: 'kubeovn.io/v1',
  kind: 'IP',
  metadata: { name: `b-${i}.bench`, labels: { 'ovn.kubernetes.io/subnet': 'ovn-default', 'ovn.kubernetes.io/node-name': `node-${i % 100}` }, finalizers: ['kubeovn.io/kube-ovn-controller'] },
  spec: { podName: `b-${i}`, namespace: 'bench', subnet: 'ovn-default', nodeName: `node-${i % 100}`, ipAddress: `10.16.${i >> 8}.${i & 255}`, v4IpAddress: `10.16.${i >> 8}.${i & 255}`, v6IpAddress: '', macAddress: '00:00:00:0a:0b:0c', podType: '', attachSubnets: [], attachIps: [], attachMacs: [] },
});
const annotations = (i: number) => ({
  'ovn.kubernetes.io/allocated': 'true',
  'ovn.kubernetes.io/ip_address': `10.16.${i >> 8}.${i & 255}`,
  'ovn.kubernetes.io/mac_address': '00:00:00:0a:0b:0c',
  'ovn.kubernetes.io/cidr': '10.16.0.0/16',
  'ovn.kubernetes.io/gateway': '10.16.0.1',
  'ovn.kubernetes.io/logical_switch': 'ovn-default',
  'ovn.kubernetes.io/pod_nic_type': 'veth-pair',
  'ovn.kubernetes.io/routed': 'true',
});

/** The canned responder: 201 with the IP as stored for POST, 200 with the pod as stored for PATCH. */
const SERVER = `
const http = require('node:http');
const ip = process.env.IP_BODY, pod = process.env.POD_BODY;
const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    const body = req.method === 'POST' ? ip : pod;
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

interface Events {
  readonly added: Buffer;
  readonly modified: Buffer;
  readonly ipAdded: Buffer;
}

/** Watch lines as they arrive from a socket: bytes, one set per pod, so no string is reused. */
function watchLines(n: number): Events[] {
  return Array.from({ length: n }, (_, i) => {
    const pod = realisticPod('bench', `b-${i}`, i);
    const line = (type: string, object: unknown) => Buffer.from(`${JSON.stringify({ type, object })}\n`);
    const annotated = { ...pod, metadata: { ...(pod['metadata'] as object), annotations: { ...((pod['metadata'] as { annotations: object }).annotations), ...annotations(i) } } };
    return { added: line('ADDED', pod), modified: line('MODIFIED', annotated), ipAdded: line('ADDED', ipObject(i)) };
  });
}

function decode(e: Events): number {
  // What the watch decoder does per event: bytes to text, one JSON.parse.
  let n = 0;
  for (const b of [e.added, e.modified, e.ipAdded]) n += (JSON.parse(b.toString('utf8')) as { type: string }).type.length;
  return n;
}

function call(agent: Agent, port: number, method: 'POST' | 'PATCH', path: string, body: string, contentType: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent, headers: { Accept: 'application/json', 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)), 'User-Agent': 'pod-floor' } }, (res) => {
      res.on('error', reject);
      res.on('end', resolve);
      res.resume();
    });
    req.once('error', reject);
    req.end(body);
  });
}

async function requests(agent: Agent, port: number, i: number): Promise<void> {
  await call(agent, port, 'POST', '/apis/kubeovn.io/v1/ips', JSON.stringify(ipObject(i)), 'application/json');
  await call(agent, port, 'PATCH', `/api/v1/namespaces/bench/pods/b-${i}`, JSON.stringify({ metadata: { annotations: annotations(i) } }), 'application/merge-patch+json');
}

async function run(mode: 'decode' | 'requests' | 'both', events: readonly Events[], port: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  let sink = 0;
  const start = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < events.length) {
      const i = next++;
      const e = events[i] as Events;
      if (mode !== 'requests') sink += decode(e);
      if (mode !== 'decode') await requests(agent, port, i);
      else if (i % 64 === 0) await Promise.resolve();
    }
  }));
  const used = process.cpuUsage(start);
  agent.destroy();
  if (mode !== 'requests' && sink === 0) throw new Error('nothing decoded');
  return Math.round(((used.user + used.system) / events.length) * 10) / 10;
}

async function main(): Promise<void> {
  const events = watchLines(PODS);
  const env = { PATH: process.env['PATH'] ?? '', IP_BODY: JSON.stringify(ipObject(1)), POD_BODY: events[0]?.modified.toString('utf8').slice(0, -1) ?? '{}' };
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'], env });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout?.setEncoding('utf8').once('data', (d: string) => resolve(Number(d.trim())));
      server.once('exit', (code) => reject(new Error(`floor server exited with ${code}`)));
    });
    await run('both', events.slice(0, 1000), port); // warm-up: JIT tiers and sockets
    const results: Record<string, number[]> = { decode: [], requests: [], both: [] };
    for (let r = 0; r < Number(values.runs); r++) {
      for (const mode of ['decode', 'requests', 'both'] as const) results[mode]?.push(await run(mode, events, port));
    }
    const best = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Math.min(...v)]));
    console.log(JSON.stringify({ bench: 'pod-floor', pods: PODS, concurrency: CONCURRENCY, podEventBytes: events[0]?.added.length, cpuMicrosPerPod: { best, runs: results }, node: process.version, cpu: cpus()[0]?.model ?? 'unknown', nproc: cpus().length, loadavg1: Number(loadavg()[0]?.toFixed(2)), date: new Date().toISOString() }));
  } finally {
    server.kill('SIGTERM');
  }
}

await main();
