import { Readable } from 'node:stream';
import { createMetricsHarness } from '../../support/metrics.js';
import type { MetricsHarness, Point } from '../../support/metrics.js';
import { createLogger } from '../../../src/log/index.js';
import type { IncomingMessage } from 'node:http';
import type { Instruments } from '../../../src/telemetry/instruments.js';
import type { Logger } from '../../../src/log/index.js';
import type { Clock } from '../../../src/clock/index.js';
import type { HttpRequest, HttpResponse, Transport } from '../../../src/kube/client/index.js';

// The settling fake clock under the names the client, informer and elector tests use.
export { createSettlingClock as createFakeClock, settle as flush } from '../../support/fake-clock.js';
export type { SettlingClock as FakeClock } from '../../support/fake-clock.js';

/** A clock whose timers fire at once (advancing time by their delay), recording every delay: retries without real waits. */
export function createInstantClock(start = 1_767_322_800_000): Clock & { readonly delays: number[] } {
  let t = start;
  const delays: number[] = [];
  return {
    delays,
    now: () => t,
    setTimer(fn, ms) {
      delays.push(ms);
      let cancelled = false;
      queueMicrotask(() => {
        if (cancelled) return;
        t += ms;
        fn();
      });
      return () => void (cancelled = true);
    },
  };
}

/** The metrics harness (`test/support/metrics.ts`) in the shape these tests read it: `collectPoints(reader, name)`. */
export function createTestInstruments(): { instruments: Instruments; reader: MetricsHarness } {
  const harness = createMetricsHarness();
  return { instruments: harness.instruments, reader: harness };
}

/** Reads the points of one metric. */
export function collectPoints(reader: MetricsHarness, name: string): Promise<Point[]> {
  return reader.points(name);
}

export function silentLogger(): Logger {
  return createLogger({ level: 'silent' });
}

/** One scripted answer of the fake transport: a response or a transport error. */
export type Scripted = { status: number; body?: string; headers?: Record<string, string> } | { error: Error };

/** A transport that answers from a script, recording requests. */
export function createScriptedTransport(script: Scripted[]): Transport & { readonly requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  return {
    host: 'apiserver.test:6443',
    requests,
    async send(request): Promise<HttpResponse> {
      requests.push(request);
      const next = script.shift();
      if (next === undefined) throw new Error(`unscripted request ${request.method} ${request.path}`);
      if ('error' in next) throw next.error;
      const body = Readable.from(next.body === undefined ? [] : [Buffer.from(next.body)]) as unknown as IncomingMessage;
      return { status: next.status, headers: Object.fromEntries(Object.entries(next.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])), body };
    },
  };
}

/** A Status body as kube-apiserver sends it. */
export function statusBody(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}
