import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { SETTINGS } from '../../src/config/settings.js';
import type { SettingSpec } from '../../src/config/settings.js';
import { setup } from './setup.js';

function helpText(): string {
  const result = setup().run(['--help']);
  return result.kind === 'help' ? result.text : assert.fail(`expected help, got ${result.kind}`);
}

describe('--help and --version', () => {
  it('documents every flag and every environment variable', () => {
    const text = helpText();
    for (const spec of Object.values(SETTINGS) as SettingSpec[]) {
      if (spec.flag !== undefined) assert.match(text, new RegExp(`^  ${spec.flag} <`, 'm'), spec.flag);
      if (spec.env !== undefined) assert.ok(text.includes(`$${spec.env}`), spec.env);
    }
  });

  it('gives every setting a default, a unit and an off value', () => {
    const entries = helpText().split('\n').filter((l) => l.startsWith('      default: '));
    assert.equal(entries.length, Object.keys(SETTINGS).length);
    for (const line of entries) assert.match(line, /^ {6}default: .+; unit: .+; off: .+$/);
  });

  it('explains why the default exporter is prometheus and what booleans accept', () => {
    const text = helpText();
    assert.match(text, /Default exporter: `prometheus`, not the OTel spec's `otlp`: Kube-OVN users expect pull metrics/);
    assert.match(text, /push to nowhere/);
    assert.match(text, /Booleans accept `true`, `false`, `1` or `0`/);
  });

  it('answers --help and -h even next to invalid settings', () => {
    for (const argv of [['-h'], ['--metrics-port=abc', '--help'], ['--nonsense', '-h']]) assert.equal(setup().run(argv).kind, 'help');
  });

  it('prints the version', () => {
    assert.deepEqual(setup().run(['--version']), { kind: 'version', text: 'kube-ovn-controller 9.8.7' });
  });
});

describe('the result', () => {
  it('is deeply frozen', () => {
    const config = setup().ok(['--metrics-exporter=otlp,prometheus', '--liveness-path=/live'], { OTEL_EXPORTER_OTLP_HEADERS: 'a=b' });
    const seen: unknown[] = [];
    const walk = (v: unknown): void => {
      if (typeof v !== 'object' || v === null) return;
      seen.push(v);
      assert.ok(Object.isFrozen(v), JSON.stringify(v));
      for (const child of Object.values(v)) walk(child);
    };
    walk(config);
    assert.ok(seen.length > 10);
    assert.throws(() => (config.health.extraLivenessPaths as string[]).push('/x'), TypeError);
  });

  it('does not read process.env', () => {
    process.env.HEALTH_PORT = '1234';
    try {
      assert.equal(setup().ok().health.port, 10660);
    } finally {
      delete process.env.HEALTH_PORT;
    }
  });

  it('does not change the input it was given', () => {
    const argv = Object.freeze(['--worker-num=4']);
    const env = Object.freeze({ LOG_LEVEL: 'warn' });
    const config = setup().ok(argv, env);
    assert.deepEqual([config.workerNum, config.logLevel], [4, 'warn']);
  });
});

describe('robustness', () => {
  it('returns a result, never throws, for arbitrary flag and variable values', () => {
    const { run } = setup();
    const flags = (Object.values(SETTINGS) as SettingSpec[]).flatMap((s) => (s.flag === undefined ? [] : [s.flag]));
    const envs = (Object.values(SETTINGS) as SettingSpec[]).flatMap((s) => (s.env === undefined ? [] : [s.env]));
    const values = ['', '0', '-1', 'abc', '1.5', '30s', '::', 'none,otlp', 'k=v,', '%', '/x', 'true', '__proto__', 'constructor', '\n', '1'.repeat(400)];
    let seed = 42;
    const pick = <T>(list: readonly T[]): T => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648; // LCG, so a failure reproduces
      return list[seed % list.length] as T;
    };
    for (let i = 0; i < 2_000; i++) {
      const argv = [`${pick(flags)}=${pick(values)}`];
      const env = { [pick(envs)]: pick(values), [pick(envs)]: pick(values) };
      const result = run(argv, env);
      if (result.kind === 'error') {
        assert.doesNotMatch(result.message, /\n/);
        assert.ok(result.message.length < 600, result.message);
      }
    }
  });
});
