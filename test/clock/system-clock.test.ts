// Issue 10 (bad object input): a timer longer than Node's limit must not fire at once.
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { createSystemClock } from '../../src/clock/index.js';

describe('the system clock', () => {
  it('clamps a timer past 2^31-1 ms instead of letting Node fire it after 1 ms', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let fired = 0;
      createSystemClock().setTimer(() => fired++, 2 ** 40);
      mock.timers.tick(1000);
      assert.equal(fired, 0, 'not fired after 1 s');
      mock.timers.tick(2_147_483_647);
      assert.equal(fired, 1, 'fired at the clamp');
    } finally {
      mock.timers.reset();
    }
  });
});
