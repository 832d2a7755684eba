import { strict as assert } from 'node:assert';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { knownMetricNames, metricNamesIn } from './metric-names.js';
import { at, readRepoFile } from './render.js';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Label names the controller's series carry (DESIGN.md §6), plus what scraping and semconv add. */
const KNOWN_LABELS = new Set([
  'controller', 'result', 'name', 'code', 'method', 'host', 'verb', 'subnet_name', 'protocol', 'subnet_cidr',
  'le', 'job', 'instance', 'namespace', 'deployment', 'v8js_gc_type', 'v8js_heap_space_name', 'db', 'table',
]);

function setup(): { known: Set<string>; rules: Rule[]; dashboardExprs: string[]; dashboard: unknown } {
  const rule = parse(readRepoFile('deploy/monitoring/prometheusrule.yaml')) as unknown;
  const groups = at(rule, 'spec', 'groups') as Array<{ rules: Rule[] }>;
  const dashboard = JSON.parse(readRepoFile('deploy/monitoring/dashboard.json')) as unknown;
  const panels = (at(dashboard, 'panels') as Array<{ type: string; targets?: Array<{ expr: string }> }>).filter((p) => p.type !== 'row');
  const variables = (at(dashboard, 'templating', 'list') as Array<{ definition?: string }>).flatMap((v) => (v.definition ? [v.definition] : []));
  const dashboardExprs = [...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...variables.map((d) => d.replace(/^label_values\((.*),\s*\w+\)$/, '$1'))];
  return { known: knownMetricNames(), rules: groups.flatMap((g) => g.rules), dashboardExprs, dashboard };
}

function labelsIn(expr: string): string[] {
  const out = new Set<string>();
  for (const m of expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)) for (const l of (m[1] ?? '').split(',')) if (l.trim()) out.add(l.trim());
  for (const m of expr.matchAll(/\{([^}]*)\}/g)) for (const l of (m[1] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g)) out.add(l[1] ?? '');
  return [...out];
}

function promtoolMissing(): string | false {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'pipe', timeout: 10_000 });
    return false;
  } catch {
    const why = 'SKIPPED: promtool is not installed; the alert expressions are not parsed by Prometheus';
    process.stderr.write(`\n*** ${why} ***\n`);
    return why;
  }
}

describe('metric names in dashboards and alerts', () => {
  it('extracts metric names from PromQL and ignores functions, labels, variables and durations', () => {
    const cases: Array<[string, string[]]> = [
      ['sum by (controller, le) (rate(controller_runtime_reconcile_time_seconds_bucket{job="$job"}[$__rate_interval]))', ['controller_runtime_reconcile_time_seconds_bucket']],
      ['absent(up{job="x"} == 1) or max(leader_election_master_status) == 0', ['leader_election_master_status', 'up']],
      ['a_total / on(instance) group_left(k8s_node_name) target_info offset 5m > 0.1', ['a_total', 'target_info']],
    ];
    for (const [expr, names] of cases) assert.deepEqual(metricNamesIn(expr), names, expr);
  });

  it('knows the controller, runtime and scrape names and nothing made up', () => {
    const { known } = setup();
    for (const name of ['controller_runtime_reconcile_total', 'workqueue_depth', 'subnet_used_ip_count', 'v8js_gc_duration_bucket', 'nodejs_eventloop_delay_p99', 'up']) assert.ok(known.has(name), name);
    assert.ok(!known.has('controller_runtime_reconcile_time_seconds'), 'a histogram has no bare series');
    assert.ok(!known.has('kube_ovn_controller_made_up_total'));
  });

  it('uses only metric names the controller exports in every dashboard query', () => {
    const { known, dashboardExprs } = setup();
    assert.ok(dashboardExprs.length >= 20, `only ${dashboardExprs.length} queries`);
    const used = new Set(dashboardExprs.flatMap(metricNamesIn));
    assert.deepEqual([...used].filter((n) => !known.has(n)), []);
    for (const area of ['controller_runtime_reconcile_total', 'controller_runtime_reconcile_errors_total', 'controller_runtime_reconcile_time_seconds_bucket', 'workqueue_depth', 'workqueue_queue_duration_seconds_bucket', 'leader_election_master_status', 'rest_client_requests_total', 'rest_client_request_duration_seconds_bucket', 'subnet_available_ip_count', 'subnet_used_ip_count', 'nodejs_eventloop_delay_p99', 'v8js_memory_heap_used', 'v8js_gc_duration_bucket']) {
      assert.ok(used.has(area), `the dashboard shows nothing of ${area}`);
    }
  });

  it('uses only metric and label names the controller exports in every alert', () => {
    const { known, rules } = setup();
    assert.ok(rules.length >= 6);
    for (const rule of rules) {
      assert.deepEqual(metricNamesIn(rule.expr).filter((n) => !known.has(n)), [], rule.alert);
      assert.deepEqual(labelsIn(rule.expr).filter((l) => !KNOWN_LABELS.has(l)), [], `${rule.alert}: unknown label`);
    }
    const labels = new Set(setup().dashboardExprs.flatMap(labelsIn));
    assert.deepEqual([...labels].filter((l) => !KNOWN_LABELS.has(l)), [], 'dashboard: unknown label');
  });

  it('alerts on a down controller, no Ready replica, no leader, errors, a backed-up queue and a nearly full subnet', () => {
    const { rules } = setup();
    const expected: Array<[string, RegExp]> = [
      ['KubeOvnControllerDown', /^up\{job="kube-ovn-controller"\} == 0$/],
      ['KubeOvnControllerNoReadyReplica', /kube_deployment_status_replicas_ready\{[^}]*deployment="kube-ovn-controller"[^}]*\} < 1/],
      ['KubeOvnControllerNoLeader', /max\(leader_election_master_status[^)]*\) == 0[\s\S]*absent\(leader_election_master_status/],
      ['KubeOvnControllerReconcileErrors', /controller_runtime_reconcile_errors_total/],
      ['KubeOvnControllerWorkqueueBackingUp', /workqueue_depth/],
      ['KubeOvnSubnetNearlyFull', /subnet_available_ip_count[\s\S]*\/[\s\S]*subnet_available_ip_count[\s\S]*\+[\s\S]*subnet_used_ip_count[\s\S]*< 0\.1/],
    ];
    for (const [alert, expr] of expected) {
      const rule = rules.find((r) => r.alert === alert);
      assert.ok(rule, `missing alert ${alert}`);
      assert.match(rule.expr.trim(), expr, alert);
    }
    for (const rule of rules) {
      assert.match(rule.for ?? '', /^\d+m$/, `${rule.alert}: no for`);
      assert.match(rule.labels?.['severity'] ?? '', /^(warning|critical)$/, `${rule.alert}: severity`);
      assert.ok(rule.annotations?.['summary'] && rule.annotations['description'], `${rule.alert}: annotations`);
    }
  });

  it('passes promtool check rules', { skip: promtoolMissing() }, async () => {
    const rule = parse(readRepoFile('deploy/monitoring/prometheusrule.yaml')) as unknown;
    const dir = await mkdtemp(join(tmpdir(), 'rules-'));
    try {
      const file = join(dir, 'rules.json');
      await writeFile(file, JSON.stringify({ groups: at(rule, 'spec', 'groups') }));
      const out = await new Promise<string>((resolve, reject) => {
        execFile('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${stdout}${stderr}`)) : resolve(stdout)));
      });
      assert.match(out, /SUCCESS: \d+ rules found/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is a Grafana dashboard with a stable uid and a query on every panel', () => {
    const { dashboard } = setup();
    assert.equal(at(dashboard, 'uid'), 'kube-ovn-controller-ts');
    const panels = at(dashboard, 'panels') as Array<{ type: string; title: string; targets?: Array<{ expr?: string }> }>;
    for (const p of panels.filter((x) => x.type !== 'row')) assert.ok((p.targets ?? []).length > 0 && p.targets?.every((t) => t.expr), p.title);
  });
});
