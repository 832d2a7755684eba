// The shipping proof, live half: the BUILT controller (dist/main.js) run as each rendered overlay's
// Deployment says answers its probes, exposes every series the dashboard and alerts query, and
// pushes OTLP that the shipped collector config would receive.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { eventually, probe } from '../support/kubelet.js';
import { ANN, apiClient, namespaceObject, PATHS, podObject, subnetObject } from '../support/objects.js';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import type { OtlpReceiver } from '../support/otlp-receiver.js';
import { ovnMissing, startLocalOvn } from '../support/ovn/local-ovn.js';
import type { LocalOvn } from '../support/ovn/local-ovn.js';
import { PROBE_KINDS, servicePort, startAsDeployed } from './live-run.js';
import type { DeployedRun } from './live-run.js';
import { metricNamesIn } from './metric-names.js';
import { at, envMap, controllerContainer, kubectlUnavailable, OVERLAYS, readRepoFile, render } from './render.js';
import type { Overlay } from './render.js';

const skip = kubectlUnavailable();

/**
 * Names the dashboard/alerts use that the controller cannot expose, each with where it comes
 * from. Anything else they query must be in the controller's real exposition.
 */
const FROM_OTHER_EXPORTERS: Readonly<Record<string, string>> = {
  up: 'written by Prometheus itself for every scrape target',
  kube_deployment_status_replicas_ready: 'kube-state-metrics (Deployment status)',
  kube_deployment_spec_replicas: 'kube-state-metrics (Deployment spec)',
};

/** The health app's `/metrics` 404 body for each overlay (DESIGN.md §5); `port` is the metrics port. */
const HINT: Readonly<Record<Overlay, (port?: number) => string>> = {
  'metrics-none': () => 'metrics are disabled',
  'metrics-prometheus': (port) => `metrics are served at :${port}/metrics`,
  'metrics-otlp': () => 'metrics are pushed with OTLP',
};

const CONTENT_TYPE: Readonly<Record<string, string>> = { 'http/protobuf': 'application/x-protobuf', 'http/json': 'application/json' };

/** Recent controller output, for failure messages. */
function diag(run: DeployedRun): string {
  return `\n--- controller logs ---\n${run.ctl.logs.slice(-15).map((l) => JSON.stringify(l)).join('\n')}\n${run.ctl.stderr().slice(-2000)}`;
}

function healthPort(run: DeployedRun): number {
  const port = run.portByName.get('health');
  if (port === undefined) throw new Error('the container declares no `health` port');
  return port;
}

/** Every metric name the dashboard panels/variables and the alert rules select. */
function monitoringNames(): Set<string> {
  const rule = parse(readRepoFile('deploy/monitoring/prometheusrule.yaml')) as unknown;
  const rules = (at(rule, 'spec', 'groups') as Array<{ rules: Array<{ expr: string }> }>).flatMap((g) => g.rules);
  const dashboard = JSON.parse(readRepoFile('deploy/monitoring/dashboard.json')) as unknown;
  const panels = at(dashboard, 'panels') as Array<{ targets?: Array<{ expr: string }> }>;
  const variables = (at(dashboard, 'templating', 'list') as Array<{ definition?: string }>).flatMap((v) => (v.definition ? [v.definition] : []));
  const exprs = [
    ...rules.map((r) => r.expr),
    ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    // label_values(<selector>, <label>): only the selector is PromQL
    ...variables.map((d) => d.replace(/^label_values\((.*),\s*\w+\)$/, '$1')),
  ];
  return new Set(exprs.flatMap(metricNamesIn));
}

/** Metric names (series names, so histograms as _bucket/_sum/_count) in a Prometheus text exposition. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{|\s)/.exec(line);
    if (m?.[1] !== undefined) names.add(m[1]);
  }
  return names;
}

/** Sum of every sample of series `name` in a Prometheus text exposition. */
function sampleSum(text: string, name: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

/** Points the overlay's OTLP endpoint at the receiver double (same scheme and path), pushing every 500 ms. */
function toReceiver(receiver: OtlpReceiver): (env: Record<string, string>) => Record<string, string> {
  return (env) => {
    const key = env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'] !== undefined ? 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
    const url = new URL(env[key] ?? 'http://localhost:4318');
    url.hostname = '127.0.0.1';
    url.port = String(receiver.port);
    // The export timeout must not exceed the interval, so it shrinks with it.
    return { ...env, [key]: url.href, OTEL_METRIC_EXPORT_INTERVAL: '500', OTEL_METRIC_EXPORT_TIMEOUT: '400' };
  };
}

/** Creates a subnet, a namespace and pods (3 PATCHes fail with 500), then deletes half the pods. */
async function driveWorkload(run: DeployedRun, ns: string, cidr: string): Promise<void> {
  const api = apiClient(run.kube.api.url);
  await api.create(PATHS.namespaces, namespaceObject(ns));
  await api.create(PATHS.subnets, subnetObject(`${ns}-net`, { cidrBlock: cidr, namespaces: [ns] }));
  run.kube.api.faults.failNext(3, { status: 500, method: 'PATCH', pathPrefix: PATHS.pods(ns) });
  const names = Array.from({ length: 6 }, (_, i) => `p-${i}`);
  for (const name of names) await api.create(PATHS.pods(ns), podObject(ns, name));
  const allocated = async (): Promise<boolean> => (await api.list(PATHS.pods(ns))).every((p) => p.metadata.annotations?.[ANN.allocated] === 'true');
  await eventually(allocated, 20_000, `pods in ${ns} allocated${diag(run)}`);
  for (const name of names.slice(0, 3)) await api.delete(`${PATHS.pods(ns)}/${name}`);
}

describe('the built controller run as each overlay deploys it', { skip }, () => {
  for (const overlay of OVERLAYS) {
    it(`answers the ${overlay} Deployment's startup, readiness and liveness probes with 200 within their timeouts`, async () => {
      const receiver = overlay === 'metrics-otlp' ? await startOtlpReceiver() : undefined;
      const run = await startAsDeployed(overlay, receiver === undefined ? undefined : toReceiver(receiver));
      try {
        assert.deepEqual(run.probes.map((p) => p.kind), PROBE_KINDS, 'every probe kind is configured');
        for (const p of run.probes) {
          assert.equal(p.scheme, 'HTTP', `${p.kind}: the health app serves plain HTTP`);
          assert.equal(p.port, healthPort(run), `${p.kind} probes the health port`);
          const timeoutMs = p.timeoutSeconds * 1000;
          // kubelet gives a probe failureThreshold × periodSeconds before acting on it.
          const budgetMs = Math.min(30_000, p.failureThreshold * p.periodSeconds * 1000);
          const ok = async (): Promise<boolean> => (await probe(p.port, p.path, { timeoutMs })).status === 200;
          await eventually(ok, budgetMs, `${p.kind} GET ${p.path} = 200 within ${budgetMs}ms${diag(run)}`, p.periodSeconds * 100);
          const answer = await probe(p.port, p.path, { timeoutMs });
          assert.equal(answer.status, 200, `${p.kind} ${p.path}: ${answer.body}`);
          assert.ok(answer.ms < timeoutMs, `${p.kind} ${p.path} took ${answer.ms.toFixed(0)}ms, timeout ${timeoutMs}ms`);
        }
        const metricsPort = overlay === 'metrics-prometheus' ? servicePort(run, 'metrics') : undefined;
        const onHealth = await probe(healthPort(run), '/metrics');
        assert.equal(onHealth.status, 404, 'the health port never serves metrics');
        assert.equal(onHealth.body.trim(), HINT[overlay](metricsPort));
        if (metricsPort !== undefined) {
          const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
          const body = await res.text();
          assert.equal(res.status, 200, 'the Service `metrics` port serves /metrics');
          assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
          // Any family will do: which controller series exist yet depends on how far start-up got.
          assert.match(body, /^# TYPE [a-z_]+ (counter|gauge|histogram)$/m, 'Prometheus text exposition');
          assert.match(body, /^target_info\{service_name="kube-ovn-controller"/m);
        }
      } finally {
        await run.stop();
        await receiver?.close();
      }
    });
  }

  it('exposes every metric name the dashboard and the alerts query, on the metrics-prometheus overlay', async (t) => {
    const used = monitoringNames();
    for (const name of Object.keys(FROM_OTHER_EXPORTERS)) used.delete(name);
    assert.ok(used.size >= 20, `only ${used.size} controller names found in the monitoring files`);
    // The OVN rows need a northbound to talk to: a local standalone NB on loopback stands in for
    // the ovn-nb Service the Deployment names.
    const missingOvn = ovnMissing();
    let ovn: LocalOvn | undefined;
    if (missingOvn === undefined) ovn = await startLocalOvn();
    else {
      t.diagnostic(`SKIPPING the OVN metric names: ${missingOvn}`);
      process.stderr.write(`live.test: OVN binaries missing (${missingOvn}); the OVN dashboard/alert names are NOT checked\n`);
      for (const name of [...used]) if (/^(ovn_|ovs_)/.test(name)) used.delete(name);
    }
    const run = await startAsDeployed('metrics-prometheus', (env) => (ovn === undefined ? env : { ...env, OVN_NB_ADDR: ovn.nbAddr }));
    try {
      const port = servicePort(run, 'metrics');
      await eventually(async () => (await probe(healthPort(run), '/readyz')).status === 200, 20_000, `ready${diag(run)}`);
      await driveWorkload(run, 'live', '10.88.0.0/24');
      let missing: string[] = [...used];
      let text = '';
      const scrape = async (): Promise<boolean> => {
        text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        const exposed = exposedNames(text);
        missing = [...used].filter((n) => !exposed.has(n));
        return missing.length === 0 && sampleSum(text, 'ipam_releases_total') >= 3;
      };
      await eventually(scrape, 20_000, 'all names exposed', 500).catch(() => undefined);
      assert.deepEqual(missing, [], 'dashboard/alert names absent from the real exposition');
      // The series are there because the work happened, not only as zero-initialised counters.
      for (const [name, atLeast] of [['controller_runtime_reconcile_errors_total', 1], ['workqueue_retries_total', 1], ['ipam_releases_total', 3]] as const) {
        assert.ok(sampleSum(text, name) >= atLeast, `${name} = ${sampleSum(text, name)}, expected >= ${atLeast}`);
      }
    } finally {
      await run.stop();
      await ovn?.stop();
    }
  });

  it('pushes OTLP that otel/collector.yaml receives: its port and path, the overlay protocol, catalogue names and Downward API resource attributes', async () => {
    const collector = parse(readRepoFile('otel/collector.yaml')) as unknown;
    const http = at(collector, 'receivers', 'otlp', 'protocols', 'http') as { endpoint: string; metrics_url_path?: string };
    const path = http.metrics_url_path ?? '/v1/metrics';
    const overlayEnv = envMap(controllerContainer(await render('deploy/overlays/metrics-otlp')));
    const endpoint = new URL(overlayEnv.get('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT') ?? '');
    assert.equal(endpoint.port, /:(\d+)$/.exec(http.endpoint)?.[1], 'the overlay pushes to the collector receiver port');
    assert.equal(endpoint.pathname, path, 'the overlay pushes to the collector receiver path');
    const protocol = overlayEnv.get('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL') ?? overlayEnv.get('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
    const receiver = await startOtlpReceiver();
    assert.equal(new URL(receiver.url).pathname, path, 'the receiver double serves (and records) only the collector path');
    const run = await startAsDeployed('metrics-otlp', toReceiver(receiver));
    try {
      await eventually(async () => (await probe(healthPort(run), '/readyz')).status === 200, 20_000, `ready${diag(run)}`);
      await driveWorkload(run, 'pushed', '10.89.0.0/24');
      const wanted = ['controller_runtime_reconcile_total', 'workqueue_depth', 'subnet_used_ip_count', 'ipam_allocations_total', 'rest_client_requests_total'];
      await receiver.waitFor(() => wanted.every((n) => receiver.metricNames().has(n)), 15_000).catch(() => undefined);
      assert.deepEqual(wanted.filter((n) => !receiver.metricNames().has(n)), [], `names missing from the pushes${diag(run)}`);
      assert.deepEqual(receiver.requests.filter((r) => r.error !== undefined).map((r) => r.error), [], 'every push decodes');
      assert.deepEqual([...new Set(receiver.requests.map((r) => r.contentType))], [CONTENT_TYPE[protocol]], `content type of ${protocol}`);
      const subnetPoints = receiver.requests.flatMap((r) => r.metrics).filter((m) => m.name === 'subnet_used_ip_count').flatMap((m) => m.points);
      assert.ok(subnetPoints.some((p) => p.attributes['subnet_name'] === 'pushed-net'), 'the created subnet is reported');
      const expected = Object.fromEntries((run.env['OTEL_RESOURCE_ATTRIBUTES'] ?? '').split(',').map((kv) => kv.split('=') as [string, string]));
      assert.equal(expected['k8s.pod.name'], run.env['POD_NAME'], 'the Downward API name is substituted into the attributes');
      assert.doesNotMatch(JSON.stringify(expected), /\$\(/, 'no unexpanded $(VAR)');
      for (const resource of receiver.resourceAttributes()) {
        for (const [key, value] of Object.entries(expected)) assert.equal(resource[key], value, key);
        assert.equal(resource['service.name'], run.env['OTEL_SERVICE_NAME']);
      }
    } finally {
      await run.stop();
      await receiver.close();
    }
  });
});
