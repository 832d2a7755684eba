import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, apiErrorFromResponse, apiErrorFromStatus, isAlreadyExists, isConflict, isNotFound, isResourceExpired, isTooManyRequests, parseRetryAfter } from '../../../src/kube/client/index.js';
import { statusBody } from './fakes.js';

describe('ApiError parsing', () => {
  const cases: Array<{ name: string; code: number; body: string; reason: string; message: string }> = [
    { name: 'reads NotFound from the Status body', code: 404, body: statusBody(404, 'NotFound', 'pods "p1" not found'), reason: 'NotFound', message: 'pods "p1" not found' },
    { name: 'tells Conflict apart from AlreadyExists on 409', code: 409, body: statusBody(409, 'Conflict', 'the object has been modified'), reason: 'Conflict', message: 'the object has been modified' },
    { name: 'reads AlreadyExists on 409', code: 409, body: statusBody(409, 'AlreadyExists', 'subnets.kubeovn.io "s1" already exists'), reason: 'AlreadyExists', message: 'subnets.kubeovn.io "s1" already exists' },
    { name: 'reads Expired on 410', code: 410, body: statusBody(410, 'Expired', 'too old resource version: 1 (5)'), reason: 'Expired', message: 'too old resource version: 1 (5)' },
    { name: 'derives the reason from the code when the body is not a Status', code: 503, body: '<html>bad gateway</html>', reason: 'ServiceUnavailable', message: '<html>bad gateway</html>' },
    { name: 'derives Gone from a bare 410', code: 410, body: '', reason: 'Gone', message: 'HTTP 410' },
    { name: 'says Unknown for an unmapped code without Status', code: 418, body: '', reason: 'Unknown', message: 'HTTP 418' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const err = apiErrorFromResponse(c.code, c.body);
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, c.code);
      assert.equal(err.reason, c.reason);
      assert.equal(err.message, c.message);
    });
  }

  it('prefixes the message with what was being done', () => {
    const err = apiErrorFromResponse(404, statusBody(404, 'NotFound', 'pods "p1" not found'), undefined, 'get pods default/p1');
    assert.equal(err.message, 'get pods default/p1: pods "p1" not found');
  });

  it('takes Retry-After from the header, else from details.retryAfterSeconds', () => {
    assert.equal(apiErrorFromResponse(429, statusBody(429, 'TooManyRequests', 'slow down'), '7').retryAfterSeconds, 7);
    const body = JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests', details: { retryAfterSeconds: 3 } });
    assert.equal(apiErrorFromResponse(429, body).retryAfterSeconds, 3);
    assert.equal(apiErrorFromResponse(500, '').retryAfterSeconds, undefined);
  });

  it('parses only integer Retry-After seconds', () => {
    assert.equal(parseRetryAfter(' 12 '), 12);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  it('turns an in-band watch ERROR Status into an expired ApiError', () => {
    const err = apiErrorFromStatus({ kind: 'Status', status: 'Failure', message: 'too old resource version: 3 (9)', reason: 'Expired', code: 410 });
    assert.equal(err.code, 410);
    assert.ok(isResourceExpired(err));
  });
});

describe('error predicates', () => {
  const conflict = new ApiError(409, 'Conflict', 'x');
  const exists = new ApiError(409, 'AlreadyExists', 'x');
  const missing = new ApiError(404, 'NotFound', 'x');
  const gone = new ApiError(410, 'Gone', 'x');
  const busy = new ApiError(429, 'TooManyRequests', 'x');
  const plain = new Error('ECONNREFUSED');
  const table: Array<[string, (e: unknown) => boolean, unknown[], unknown[]]> = [
    ['isConflict', isConflict, [conflict], [exists, missing, plain]],
    ['isAlreadyExists', isAlreadyExists, [exists], [conflict, missing, plain]],
    ['isNotFound', isNotFound, [missing], [conflict, gone, plain]],
    ['isResourceExpired', isResourceExpired, [gone, new ApiError(500, 'Expired', 'x')], [missing, plain]],
    ['isTooManyRequests', isTooManyRequests, [busy], [gone, plain]],
  ];
  for (const [name, fn, yes, no] of table) {
    it(`${name} matches only its own errors`, () => {
      for (const e of yes) assert.equal(fn(e), true);
      for (const e of no) assert.equal(fn(e), false);
    });
  }
});
