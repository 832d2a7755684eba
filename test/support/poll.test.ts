import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { until } from './poll.js';

describe('until (the poll helper every real-component test waits with)', () => {
  it('says when the last attempt threw', async () => {
    await assert.rejects(until(() => Promise.reject(new Error('connect ECONNREFUSED')), 'ready', 60, 10), /waiting for ready \(last error: Error: connect ECONNREFUSED\)$/);
  });

  it('does not present an early error as the state at the deadline when later attempts only said "not yet"', async () => {
    let calls = 0;
    const fn = () => {
      calls += 1;
      if (calls === 1) throw new Error('connect ECONNREFUSED');
      return false;
    };
    await assert.rejects(until(fn, 'ready', 80, 10), /waiting for ready \(the last attempt answered "not yet"; the last error, \d+ ms in: Error: connect ECONNREFUSED\)$/);
  });
});
