// Issue 13: controller-runtime's WithAuthenticationAndAuthorization, against an injected reviewer.
import { strict as assert } from 'node:assert';
import { describe, it, mock } from 'node:test';
import { bearerToken, createAccessFilter } from '../../src/serving/index.js';
import type { AccessFilterOptions, AccessReviewer, NonResourceAttributes, TokenResult, UserInfo } from '../../src/serving/index.js';

interface Call {
  readonly kind: 'token' | 'access';
  readonly arg: string;
  readonly signal: AbortSignal;
}

/** A reviewer over a table of tokens and allowed users; `hold` keeps calls pending until released. */
function setup(options: { users?: Record<string, UserInfo>; allowed?: string[]; failTokens?: boolean; failAccess?: boolean; hold?: boolean } & Partial<AccessFilterOptions> = {}) {
  let clock = 1_000_000;
  const calls: Call[] = [];
  const pending: Array<() => void> = [];
  const errors: string[] = [];
  const wait = async (signal: AbortSignal): Promise<void> => {
    if (!options.hold) return;
    await new Promise<void>((resolve, reject) => {
      pending.push(resolve);
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
  };
  const reviewer: AccessReviewer = {
    async reviewToken(token, signal): Promise<TokenResult> {
      calls.push({ kind: 'token', arg: token, signal });
      await wait(signal);
      if (options.failTokens) throw new Error('tokenreviews.authentication.k8s.io is forbidden');
      const user = options.users?.[token];
      return user === undefined ? { authenticated: false } : { authenticated: true, user };
    },
    async reviewAccess(user, attributes: NonResourceAttributes, signal) {
      calls.push({ kind: 'access', arg: `${user.username} ${attributes.verb} ${attributes.path}`, signal });
      await wait(signal);
      if (options.failAccess) throw new Error('503 ServiceUnavailable');
      return { allowed: (options.allowed ?? []).includes(user.username), reason: '' };
    },
  };
  const filter = createAccessFilter({ ...options, reviewer, now: () => clock, onError: (what) => errors.push(what) });
  return {
    filter,
    calls,
    errors,
    release: () => pending.splice(0).forEach((r) => r()),
    advance: (ms: number) => (clock += ms),
  };
}

const PROM: UserInfo = { username: 'system:serviceaccount:monitoring:prometheus', groups: ['system:serviceaccounts'] };
const OTHER: UserInfo = { username: 'system:serviceaccount:default:nobody' };

describe('bearer token parsing', () => {
  const cases: [string | undefined, string | undefined][] = [
    [undefined, undefined], ['', undefined], ['Bearer', undefined], ['Bearer ', undefined], ['Basic dXNlcjpwYXNz', undefined],
    ['Bearer abc', 'abc'], ['bearer abc', 'abc'], ['  Bearer abc  ', 'abc'], ['Bearer abc def', 'abc'],
  ];
  for (const [header, token] of cases) it(`reads ${JSON.stringify(header)} as ${JSON.stringify(token)}`, () => assert.equal(bearerToken(header), token));
});

describe('the access filter', () => {
  it('answers 401 Unauthorized without a token, and makes no API call', async () => {
    const env = setup();
    assert.deepEqual(await env.filter.check(undefined, 'GET', '/metrics'), { kind: 'refuse', status: 401, body: 'Unauthorized\n' });
    assert.deepEqual(env.calls, []);
  });

  it('answers 401 for a token the TokenReview does not authenticate', async () => {
    const env = setup();
    assert.deepEqual(await env.filter.check('Bearer bad', 'GET', '/metrics'), { kind: 'refuse', status: 401, body: 'Unauthorized\n' });
  });

  it('answers 403 naming the user when the SubjectAccessReview denies get on the path', async () => {
    const env = setup({ users: { t: OTHER } });
    assert.deepEqual(await env.filter.check('Bearer t', 'GET', '/metrics'), { kind: 'refuse', status: 403, body: `Authorization denied for user ${OTHER.username}\n` });
    assert.deepEqual(env.calls.map((c) => c.arg), ['t', `${OTHER.username} get /metrics`]);
  });

  it('allows a user the SubjectAccessReview allows', async () => {
    const env = setup({ users: { t: PROM }, allowed: [PROM.username] });
    assert.deepEqual(await env.filter.check('Bearer t', 'GET', '/metrics'), { kind: 'allow', user: PROM.username });
  });

  it('answers 500 "Authentication failed" when the TokenReview call fails, and does not cache the failure', async () => {
    const env = setup({ failTokens: true });
    assert.deepEqual(await env.filter.check('Bearer t', 'GET', '/metrics'), { kind: 'refuse', status: 500, body: 'Authentication failed\n' });
    await env.filter.check('Bearer t', 'GET', '/metrics');
    assert.equal(env.calls.length, 2);
    assert.deepEqual(env.errors, ['authentication', 'authentication']);
  });

  it('answers 500 "Authorization for user X failed" when the SubjectAccessReview call fails', async () => {
    const env = setup({ users: { t: PROM }, failAccess: true });
    assert.deepEqual(await env.filter.check('Bearer t', 'GET', '/metrics'), { kind: 'refuse', status: 500, body: `Authorization for user ${PROM.username} failed\n` });
    assert.deepEqual(env.errors, ['authorization']);
  });

  it('caches an allow for 5 minutes and a token for 1 minute, as controller-runtime', async () => {
    const env = setup({ users: { t: PROM }, allowed: [PROM.username] });
    await env.filter.check('Bearer t', 'GET', '/metrics');
    env.advance(59_000);
    await env.filter.check('Bearer t', 'GET', '/metrics');
    assert.deepEqual(env.calls.map((c) => c.kind), ['token', 'access'], 'both cached within a minute');
    env.advance(2_000);
    await env.filter.check('Bearer t', 'GET', '/metrics');
    assert.deepEqual(env.calls.map((c) => c.kind), ['token', 'access', 'token'], 'token re-reviewed after 1 min, decision still cached');
    env.advance(240_000);
    await env.filter.check('Bearer t', 'GET', '/metrics');
    assert.deepEqual(env.calls.map((c) => c.kind), ['token', 'access', 'token', 'token', 'access'], 'decision re-reviewed after 5 min');
  });

  it('caches a deny for 30 seconds', async () => {
    const env = setup({ users: { t: OTHER } });
    await env.filter.check('Bearer t', 'GET', '/metrics');
    env.advance(29_000);
    await env.filter.check('Bearer t', 'GET', '/metrics');
    assert.equal(env.calls.filter((c) => c.kind === 'access').length, 1);
    env.advance(2_000);
    await env.filter.check('Bearer t', 'GET', '/metrics');
    assert.equal(env.calls.filter((c) => c.kind === 'access').length, 2);
  });

  it('caches a bad token too, so one repeated bad token costs one review a minute', async () => {
    const env = setup();
    for (let i = 0; i < 50; i++) await env.filter.check('Bearer bad', 'GET', '/metrics');
    assert.equal(env.calls.length, 1);
  });

  it('shares one review between identical requests in flight', async () => {
    const env = setup({ users: { t: PROM }, allowed: [PROM.username], hold: true });
    const all = Promise.all(Array.from({ length: 20 }, () => env.filter.check('Bearer t', 'GET', '/metrics')));
    await new Promise((r) => setImmediate(r));
    env.release();
    await new Promise((r) => setImmediate(r));
    env.release();
    assert.ok((await all).every((o) => o.kind === 'allow'));
    assert.deepEqual(env.calls.map((c) => c.kind), ['token', 'access']);
  });

  it('runs at most `concurrency` reviews at once and answers 500 at once past the queue, so a flood cannot reach the API server', async () => {
    const env = setup({ hold: true, concurrency: 2, maxQueued: 3 });
    const outcomes = Array.from({ length: 10 }, (_, i) => env.filter.check(`Bearer bad-${i}`, 'GET', '/metrics'));
    await new Promise((r) => setImmediate(r));
    assert.equal(env.calls.length, 2, 'two in flight');
    const early = await Promise.race([Promise.all(outcomes.slice(5)), new Promise((r) => setTimeout(() => r('pending'), 50))]);
    assert.deepEqual(early, Array.from({ length: 5 }, () => ({ kind: 'refuse', status: 500, body: 'Authentication failed\n' })), 'the 5 beyond 2 + 3 fail at once');
    for (let round = 0; round < 4; round++) {
      env.release();
      await new Promise((r) => setImmediate(r));
    }
    assert.ok((await Promise.all(outcomes.slice(0, 5))).every((o) => o.kind === 'refuse' && o.status === 401));
    assert.equal(env.calls.length, 5, 'only the admitted five reached the reviewer');
  });

  it('gives up on a review after its timeout with 500, and aborts the call', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const env = setup({ hold: true, reviewTimeoutMs: 10_000 });
      const outcome = env.filter.check('Bearer slow', 'GET', '/metrics');
      await new Promise((r) => setImmediate(r));
      mock.timers.tick(10_000);
      assert.deepEqual(await outcome, { kind: 'refuse', status: 500, body: 'Authentication failed\n' });
      assert.equal(env.calls[0]?.signal.aborted, true);
    } finally {
      mock.timers.reset();
    }
  });

  it('keeps its caches bounded under a flood of distinct tokens', async () => {
    const env = setup({ maxCacheEntries: 100, concurrency: 8, maxQueued: 10_000 });
    await Promise.all(Array.from({ length: 1000 }, (_, i) => env.filter.check(`Bearer flood-${i}`, 'GET', '/metrics')));
    // The oldest were evicted: the first token is reviewed again.
    await env.filter.check('Bearer flood-0', 'GET', '/metrics');
    assert.equal(env.calls.length, 1001);
  });

  it('reviews the lower-case method as the verb and the path asked for', async () => {
    const env = setup({ users: { t: PROM } });
    await env.filter.check('Bearer t', 'HEAD', '/metrics');
    assert.equal(env.calls[1]?.arg, `${PROM.username} head /metrics`);
  });
});
