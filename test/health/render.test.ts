import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { renderHealth, renderSingleCheck } from '../../src/health/index.js';
import { formatQuoted, goQuote } from '../../src/health/render.js';
import type { CheckOutcome, ProbeLabel, RenderOptions } from '../../src/health/index.js';

const ok = (name: string): CheckOutcome => ({ name, excluded: false, result: { ok: true } });
const failed = (name: string, reason = 'boom'): CheckOutcome => ({ name, excluded: false, result: { ok: false, reason } });
const excluded = (name: string): CheckOutcome => ({ name, excluded: true });

function setup(overrides: Partial<RenderOptions> = {}): RenderOptions {
  return { verbose: false, unknownExcludes: [], ...overrides };
}

describe('renderHealth', () => {
  const cases: { name: string; label: ProbeLabel; outcomes: CheckOutcome[]; options: Partial<RenderOptions>; status: number; body: string }[] = [
    { name: 'answers a bare ok without newline when all pass', label: 'livez', outcomes: [ok('ping'), ok('event-loop')], options: {}, status: 200, body: 'ok' },
    { name: 'answers ok when there are no checks', label: 'readyz', outcomes: [], options: {}, status: 200, body: 'ok' },
    {
      name: 'lists the checks and the passed trailer when verbose',
      label: 'readyz',
      outcomes: [ok('ping'), ok('shutdown')],
      options: { verbose: true },
      status: 200,
      body: '[+]ping ok\n[+]shutdown ok\nreadyz check passed\n',
    },
    { name: 'prints only the trailer when verbose with no checks', label: 'livez', outcomes: [], options: { verbose: true }, status: 200, body: 'livez check passed\n' },
    {
      name: 'is always verbose on failure and withholds the reason',
      label: 'readyz',
      outcomes: [ok('ping'), failed('shutdown', 'shutting down')],
      options: {},
      status: 500,
      body: '[+]ping ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n',
    },
    {
      name: 'keeps registration order with several failures',
      label: 'livez',
      outcomes: [failed('b'), ok('a'), failed('c')],
      options: { verbose: true },
      status: 500,
      body: '[-]b failed: reason withheld\n[+]a ok\n[-]c failed: reason withheld\nlivez check failed\n',
    },
    {
      name: 'names healthz in the trailer for the healthz alias',
      label: 'healthz',
      outcomes: [failed('informer-sync')],
      options: {},
      status: 500,
      body: '[-]informer-sync failed: reason withheld\nhealthz check failed\n',
    },
    { name: 'hides excluded checks on a quiet success', label: 'readyz', outcomes: [excluded('shutdown')], options: {}, status: 200, body: 'ok' },
    {
      name: 'shows excluded checks as passing when verbose',
      label: 'readyz',
      outcomes: [ok('ping'), excluded('shutdown')],
      options: { verbose: true },
      status: 200,
      body: '[+]ping ok\n[+]shutdown excluded: ok\nreadyz check passed\n',
    },
    {
      name: 'puts the unknown-exclude warning after the checks and before the trailer',
      label: 'livez',
      outcomes: [ok('ping')],
      options: { verbose: true, unknownExcludes: ['nope'] },
      status: 200,
      body: '[+]ping ok\nwarn: some health checks cannot be excluded: no matches for "nope"\nlivez check passed\n',
    },
    {
      name: 'lists several unknown excludes sorted in one warning line',
      label: 'readyz',
      outcomes: [failed('ping')],
      options: { unknownExcludes: ['zz', 'aa'] },
      status: 500,
      body: '[-]ping failed: reason withheld\nwarn: some health checks cannot be excluded: no matches for "aa","zz"\nreadyz check failed\n',
    },
    { name: 'drops the warning on a quiet success like the apiserver', label: 'livez', outcomes: [ok('ping')], options: { unknownExcludes: ['x'] }, status: 200, body: 'ok' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(renderHealth(c.label, c.outcomes, setup(c.options)), { status: c.status, body: c.body });
    });
  }
});

describe('renderSingleCheck', () => {
  const cases = [
    { name: 'answers ok for a passing check', result: { ok: true } as const, status: 200, body: 'ok' },
    { name: 'shows the reason of a failing check', result: { ok: false, reason: 'shutting down' } as const, status: 500, body: 'internal server error: shutting down\n' },
    { name: 'answers Go\'s 404 for an unknown check', result: undefined, status: 404, body: '404 page not found\n' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(renderSingleCheck(c.result), { status: c.status, body: c.body }));
  }
});

describe('goQuote', () => {
  const cases: [string, string][] = [
    ['ping', '"ping"'],
    ['', '""'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['tab\there\nnl', '"tab\\there\\nnl"'],
    ['\x00\x1f\x7f', '"\\x00\\x1f\\x7f"'],
    ['\u0085', '"\\u0085"'],
    ['\u2028', '"\\u2028"'],
    ['héllo 世界', '"héllo 世界"'],
    ['\u{1F600}', '"\u{1F600}"'],
    ['\u{E0001}', '"\\U000e0001"'],
    ['\ud800', '"\ufffd"'],
  ];
  for (const [input, want] of cases) {
    it(`quotes ${JSON.stringify(input)} like strconv.Quote`, () => assert.equal(goQuote(input), want));
  }

  it('sorts by bytes and removes duplicates in formatQuoted', () => {
    assert.equal(formatQuoted(['b', 'a', 'b', '\u{1F600}', '\uff21']), '"a","b","\uff21","\u{1F600}"');
  });
});
