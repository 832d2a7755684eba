import { strict as assert } from 'node:assert';
import { afterEach, describe, it, mock } from 'node:test';
import { createCheckSet, createHealthApp, pingCheck } from '../../src/health/index.js';
import type { CheckResult, HealthAppOptions, HealthCheck } from '../../src/health/index.js';
import { createLogger } from '../../src/log/index.js';

type LogLine = Record<string, unknown>;

function check(name: string, result: CheckResult | (() => CheckResult | Promise<CheckResult>)): HealthCheck {
  return { name, run: typeof result === 'function' ? result : () => result };
}

function setup(overrides: Partial<HealthAppOptions> = {}) {
  const logs: LogLine[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void logs.push(JSON.parse(s) as LogLine) } });
  const livez = createCheckSet('livez');
  const readyz = createCheckSet('readyz');
  livez.add(pingCheck());
  readyz.add(pingCheck());
  const app = createHealthApp({ livez, readyz, metricsHint: 'metrics are served at :9464/metrics', logger, ...overrides });
  const get = async (path: string, init: RequestInit = {}) => {
    const res = await app.request(path, init);
    return { status: res.status, body: await res.text(), headers: res.headers };
  };
  return { app, livez, readyz, logs, get };
}

function assertPlainHeaders(headers: Headers): void {
  assert.equal(headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(headers.get('x-content-type-options'), 'nosniff');
  assert.equal(headers.get('cache-control'), 'no-cache, private');
}

describe('health app: passing probes', () => {
  for (const path of ['/livez', '/readyz', '/healthz']) {
    it(`answers GET ${path} with 200 and a bare ok`, async () => {
      const { get } = setup();
      const res = await get(path, { headers: { 'User-Agent': 'kube-probe/1.32', Connection: 'close' } });
      assert.equal(res.status, 200);
      assert.equal(res.body, 'ok');
      assertPlainHeaders(res.headers);
    });

    it(`answers HEAD ${path} with status and headers but no body`, async () => {
      const { get } = setup();
      const res = await get(path, { method: 'HEAD' });
      assert.equal(res.status, 200);
      assert.equal(res.body, '');
      assert.equal(res.headers.get('content-length'), '2');
      assertPlainHeaders(res.headers);
    });
  }

  for (const query of ['?verbose', '?verbose=', '?verbose=false', '?verbose=1&x=y']) {
    it(`lists the checks with ${query}`, async () => {
      const { get, livez } = setup();
      livez.add(check('event-loop', { ok: true }));
      const res = await get(`/livez${query}`);
      assert.equal(res.status, 200);
      assert.equal(res.body, '[+]ping ok\n[+]event-loop ok\nlivez check passed\n');
    });
  }

  it('sees checks registered after the app was created', async () => {
    const { get, readyz } = setup();
    readyz.add(check('informer-sync', { ok: false, reason: '2 informers not synced' }));
    assert.equal((await get('/readyz')).status, 500);
    assert.equal((await get('/readyz/informer-sync')).body, 'internal server error: 2 informers not synced\n');
  });
});

describe('health app: failing probes', () => {
  it('is verbose on failure, withholds the reason and logs it', async () => {
    const { get, readyz, logs } = setup();
    readyz.add(check('shutdown', { ok: false, reason: 'shutting down' }));
    const res = await get('/healthz');
    assert.equal(res.status, 500);
    assert.equal(res.body, '[+]ping ok\n[-]shutdown failed: reason withheld\nhealthz check failed\n');
    assertPlainHeaders(res.headers);
    const warn = logs.find((l) => l.level === 'warn');
    assert.deepEqual({ check: warn?.check, reason: warn?.reason, probe: warn?.probe }, { check: 'shutdown', reason: 'shutting down', probe: 'healthz' });
  });

  it('logs a check failing on every probe once per interval', async () => {
    const { get, livez, logs } = setup();
    livez.add(check('bad', { ok: false, reason: 'x' }));
    livez.add(check('worse', () => Promise.reject(new Error('y'))));
    for (let i = 0; i < 5; i += 1) await get('/livez');
    assert.deepEqual(logs.filter((l) => l.level === 'warn').map((l) => [l.check, l.reason]), [['bad', 'x'], ['worse', 'y']]);
  });

  it('counts a throwing check as failed', async () => {
    const { get, livez } = setup();
    livez.add(check('throws', () => {
      throw new Error('kaput');
    }));
    assert.equal((await get('/livez')).body, '[+]ping ok\n[-]throws failed: reason withheld\nlivez check failed\n');
    assert.equal((await get('/livez/throws')).body, 'internal server error: kaput\n');
  });

  it('fails the HEAD probe with 500 and no body', async () => {
    const { get, livez } = setup();
    livez.add(check('bad', { ok: false, reason: 'x' }));
    const res = await get('/livez', { method: 'HEAD' });
    assert.equal(res.status, 500);
    assert.equal(res.body, '');
  });
});

describe('health app: exclude', () => {
  it('skips an excluded check without running it', async () => {
    const { get, readyz } = setup();
    let runs = 0;
    readyz.add(check('shutdown', () => (runs++, { ok: false, reason: 'shutting down' })));
    const quiet = await get('/readyz?exclude=shutdown');
    assert.deepEqual([quiet.status, quiet.body], [200, 'ok']);
    const verbose = await get('/readyz?exclude=shutdown&verbose');
    assert.equal(verbose.body, '[+]ping ok\n[+]shutdown excluded: ok\nreadyz check passed\n');
    assert.equal(runs, 0);
  });

  it('accepts repeated excludes and warns about unknown names before the trailer', async () => {
    const { get, livez, logs } = setup();
    livez.add(check('bad', { ok: false, reason: 'x' }));
    const res = await get('/livez?exclude=ping&exclude=zeta&exclude=alpha&exclude=alpha');
    assert.equal(res.status, 500);
    assert.equal(
      res.body,
      '[+]ping excluded: ok\n[-]bad failed: reason withheld\nwarn: some health checks cannot be excluded: no matches for "alpha","zeta"\nlivez check failed\n',
    );
    assert.ok(logs.some((l) => Array.isArray(l.names) && l.names.includes('zeta')));
  });

  it('quotes a strange unknown name like Go', async () => {
    const { get } = setup();
    const res = await get('/livez?verbose&exclude=a%22b%0A');
    assert.equal(res.body, '[+]ping ok\nwarn: some health checks cannot be excluded: no matches for "a\\"b\\n"\nlivez check passed\n');
  });
});

describe('health app: single checks', () => {
  const cases = [
    { path: '/livez/ping', status: 200, body: 'ok' },
    { path: '/readyz/ping', status: 200, body: 'ok' },
    { path: '/healthz/ping', status: 200, body: 'ok' },
    { path: '/readyz/down', status: 500, body: 'internal server error: not ready\n' },
    { path: '/livez/down', status: 404, body: '404 page not found\n' },
    { path: '/livez/nope', status: 404, body: '404 page not found\n' },
    { path: '/livez/', status: 404, body: '404 page not found\n' },
    { path: '/livez/ping/more', status: 404, body: '404 page not found\n' },
    { path: '/livez%2Fping', status: 200, body: 'ok' },
    { path: '/livez/%E0%A4%A', status: 404, body: '404 page not found\n' },
  ];
  for (const c of cases) {
    it(`answers ${c.path} with ${c.status}`, async () => {
      const { get, readyz } = setup();
      readyz.add(check('down', { ok: false, reason: 'not ready' }));
      const res = await get(c.path);
      assert.deepEqual([res.status, res.body], [c.status, c.body]);
      assertPlainHeaders(res.headers);
    });
  }
});

describe('health app: other paths and methods', () => {
  it('answers /metrics with 404 and the one-line hint for any method', async () => {
    for (const method of ['GET', 'POST', 'HEAD']) {
      const { get } = setup({ metricsHint: 'metrics are pushed with OTLP\n' });
      const res = await get('/metrics', { method });
      assert.equal(res.status, 404);
      assert.equal(res.body, method === 'HEAD' ? '' : 'metrics are pushed with OTLP\n');
      assertPlainHeaders(res.headers);
    }
  });

  for (const path of ['/', '/livezz', '/metrics/x', '/debug/pprof', '/LIVEZ']) {
    it(`answers ${path} with Go's 404`, async () => {
      const res = await setup().get(path);
      assert.deepEqual([res.status, res.body], [404, '404 page not found\n']);
      assertPlainHeaders(res.headers);
    });
  }

  for (const [method, path] of [['POST', '/livez'], ['PUT', '/readyz'], ['DELETE', '/healthz'], ['OPTIONS', '/livez'], ['PATCH', '/readyz/ping']] as const) {
    it(`answers ${method} ${path} with 405 and Allow`, async () => {
      const res = await setup().get(path, { method });
      assert.equal(res.status, 405);
      assert.equal(res.headers.get('allow'), 'GET, HEAD');
      assert.equal(res.body, 'Method Not Allowed\n');
      assertPlainHeaders(res.headers);
    });
  }

  it('turns an unexpected handler error into a plain 500 and logs it', async () => {
    const { get, logs } = setup({
      livez: { kind: 'livez', add: () => {}, reserve: () => {}, checks: () => { throw new Error('registry broke'); } },
    });
    const res = await get('/livez');
    assert.deepEqual([res.status, res.body], [500, 'internal server error\n']);
    assertPlainHeaders(res.headers);
    assert.ok(logs.some((l) => l.level === 'error' && l.msg === 'health handler failed'));
  });

  it('answers POST on an unknown path with 404, not 405', async () => {
    assert.equal((await setup().get('/nope', { method: 'POST' })).status, 404);
    assert.equal((await setup().get('/livez/nope', { method: 'POST' })).status, 404);
  });
});

describe('health app: extra paths', () => {
  it('serves extra paths and their subpaths exactly like the default they alias', async () => {
    const { get, livez, readyz } = setup({ extraLivenessPaths: ['/live', '/livez'], extraReadinessPaths: ['/probe/ready', '/healthz'] });
    livez.add(check('bad', { ok: false, reason: 'x' }));
    readyz.add(check('fine', { ok: true }));
    assert.deepEqual(await get('/live').then((r) => [r.status, r.body]), [500, '[+]ping ok\n[-]bad failed: reason withheld\nlivez check failed\n']);
    assert.deepEqual(await get('/live/bad').then((r) => [r.status, r.body]), [500, 'internal server error: x\n']);
    assert.deepEqual(await get('/probe/ready?verbose').then((r) => r.body), '[+]ping ok\n[+]fine ok\nreadyz check passed\n');
    assert.deepEqual(await get('/probe/ready/fine').then((r) => [r.status, r.body]), [200, 'ok']);
    assert.equal((await get('/probe/ready', { method: 'POST' })).status, 405);
    assert.equal((await get('/livez')).status, 500);
  });

  const bad: { name: string; options: Partial<HealthAppOptions>; error: RegExp }[] = [
    { name: 'a path claimed by both kinds', options: { extraLivenessPaths: ['/readyz'] }, error: /`\/readyz` is claimed by both readyz and livez/ },
    { name: 'the same extra path for both kinds', options: { extraLivenessPaths: ['/p'], extraReadinessPaths: ['/p'] }, error: /claimed by both/ },
    { name: 'a relative path', options: { extraLivenessPaths: ['live'] }, error: /got `live`/ },
    { name: 'a trailing slash', options: { extraReadinessPaths: ['/ready/'] }, error: /got `\/ready\/`/ },
    { name: '/metrics', options: { extraReadinessPaths: ['/metrics'] }, error: /got `\/metrics`/ },
    { name: 'a zero timeout', options: { checkTimeoutMs: 0 }, error: /checkTimeoutMs: expected a positive integer of ms, got 0/ },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}`, () => assert.throws(() => setup(c.options), c.error));
  }
});

describe('health app: timing', () => {
  afterEach(() => mock.timers.reset());

  it('fails a check that does not finish within checkTimeoutMs', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const { app, livez, logs } = setup();
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    let aborted = false;
    livez.add({
      name: 'stuck',
      run: (signal) => {
        signal.addEventListener('abort', () => (aborted = true));
        started();
        return new Promise<CheckResult>(() => {});
      },
    });
    const pending = app.request('/livez/stuck');
    await running;
    mock.timers.tick(500);
    const res = await pending;
    assert.deepEqual([res.status, await res.text()], [500, 'internal server error: timed out after 500ms\n']);
    assert.equal(aborted, true);
    assert.ok(logs.some((l) => l.reason === 'timed out after 500ms'));
  });

  it('runs the checks of one request concurrently', async () => {
    const { get, livez } = setup();
    const order: string[] = [];
    livez.add(check('first', async () => {
      order.push('first started');
      await new Promise((r) => setImmediate(r));
      order.push('first finished');
      return { ok: true };
    }));
    livez.add(check('second', () => (order.push('second started'), { ok: true })));
    assert.equal((await get('/livez')).status, 200);
    assert.deepEqual(order, ['first started', 'second started', 'first finished']);
  });
});
