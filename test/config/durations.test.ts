import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { formatDuration, parseGoDuration } from '../../src/config/index.js';
import { parsePositiveDuration } from '../../src/config/durations.js';
import { ConfigError } from '../../src/config/errors.js';

describe('Go durations', () => {
  const valid: [string, number][] = [
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['2h', 7_200_000],
    ['1.5s', 1_500],
    ['1.1s', 1_100],
    ['.5m', 30_000],
    ['1h2m3s4ms', 3_723_004],
    ['250us', 0.25],
    ['250µs', 0.25],
    ['250μs', 0.25],
    ['1000000ns', 1],
    ['0', 0],
    ['-1s', -1_000],
    ['+2s', 2_000],
  ];
  for (const [text, ms] of valid) {
    it(`reads \`${text}\` as ${ms} ms`, () => assert.equal(parseGoDuration(text, '--x'), ms));
  }

  for (const text of ['', '30', '1.5', 's', '5 s', '1d', '1m30', '.s', '--1s', '3S', '1constructor', '1toString']) {
    it(`refuses \`${text}\` naming the setting`, () => {
      assert.throws(() => parseGoDuration(text, '--x'), (err: unknown) => err instanceof ConfigError && err.message.startsWith('--x: expected a duration like'));
    });
  }

  it('says a unit is required when given a bare number', () => {
    assert.throws(() => parseGoDuration('30', '--x'), /a unit is required/);
  });

  it('formats durations the way parseGoDuration reads them back', () => {
    for (const ms of [0, 500, 1_000, 90_000, 300_000, 3_723_004, 2_147_483_647]) {
      assert.equal(parseGoDuration(formatDuration(ms), '--x'), ms);
    }
    assert.equal(formatDuration(300_000), '5m');
    assert.equal(formatDuration(90_000), '1m30s');
  });

  it('refuses zero, negative and beyond-timer-limit durations where a positive one is needed', () => {
    assert.throws(() => parsePositiveDuration('0', '--x'), /greater than 0/);
    assert.throws(() => parsePositiveDuration('-5s', '--x'), /greater than 0/);
    assert.throws(() => parsePositiveDuration('600h', '--x'), /at most 596h31m23s647ms \(the Node.js timer limit\)/);
    assert.equal(parsePositiveDuration('596h', '--x'), 596 * 3_600_000);
  });
});
