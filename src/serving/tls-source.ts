import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { KeyPair } from './certificates.js';
import type * as Certificates from './certificates.js';

/** Beside this module: src/serving/ under tsx and tsc, dist/ in the bundle (build.mjs makes dist/certificates.js). */
const CERTIFICATES_MODULE = new URL('./certificates.js', import.meta.url).href;

/** Kube-OVN's self-signed serving certificate lives one year. */
const SELF_SIGNED_VALIDITY_MS = 365 * 24 * 3600 * 1000;

/** When the first certificate of a PEM chain expires, ms since epoch. Throws on PEM that is no certificate. */
export function notAfterOf(certPem: string): number {
  return new X509Certificate(certPem).validToDate.getTime();
}

/** The serving certificate of a TLS listener, replaced while serving. */
export interface TlsSource {
  /** The pair to serve now (always one that loaded). */
  current(): KeyPair;
  /** `listener` gets every new pair that loaded; the old one keeps serving until then. */
  onChange(listener: (pair: KeyPair) => void): void;
  /** Re-reads the files or renews the certificate if due; never rejects. Timers call it; tests may too. */
  refresh(): Promise<void>;
  /** Stops watching and polling. */
  stop(): void;
}

export interface SourceEvents {
  readonly onLoaded: (what: string, detail: Record<string, unknown>) => void;
  readonly onError: (what: string, err: unknown) => void;
}

/** Throws a readable error when the pair is unusable (no certificate, no key, key not the certificate's). */
export function checkPair(pair: KeyPair): void {
  notAfterOf(pair.cert);
  createSecureContext({ cert: pair.cert, key: pair.key });
}

export interface FileSourceOptions extends SourceEvents {
  readonly certFile: string;
  readonly keyFile: string;
  /** Poll period besides the watch, ms; default 10000 (controller-runtime's certwatcher). 0: no timers (tests). */
  readonly pollIntervalMs?: number;
}

/**
 * `--tls-cert-file`/`--tls-private-key-file`, as controller-runtime's certwatcher: loaded now
 * (throws when unusable: bad configuration), then re-read when their directories report a change
 * (covers the atomic `..data` symlink swap of mounted Secrets) and every poll period. A new pair
 * that does not load is logged once and the old one keeps serving.
 */
export function createFileTlsSource(options: FileSourceOptions): TlsSource {
  const read = (text: (path: string) => string): KeyPair => ({ cert: text(options.certFile), key: text(options.keyFile) });
  let pair = read((p) => readFileSync(p, 'utf8'));
  checkPair(pair);
  let lastBad = '';
  const listeners: Array<(p: KeyPair) => void> = [];
  async function refresh(): Promise<void> {
    let next: KeyPair;
    try {
      next = { cert: await readFile(options.certFile, 'utf8'), key: await readFile(options.keyFile, 'utf8') };
    } catch (err) {
      if (lastBad !== 'unreadable') options.onError('read', err);
      lastBad = 'unreadable';
      return;
    }
    if (next.cert === pair.cert && next.key === pair.key) return;
    try {
      checkPair(next);
    } catch (err) {
      // Writers replace cert and key one after the other: a mismatch between the two writes is
      // normal and heals at the next event; logged once per content so a stuck one is visible.
      if (lastBad !== next.cert + next.key) options.onError('load', err);
      lastBad = next.cert + next.key;
      return;
    }
    pair = next;
    lastBad = '';
    options.onLoaded('reloaded', { certFile: options.certFile, notAfter: new Date(notAfterOf(pair.cert)).toISOString() });
    for (const listener of listeners) listener(pair);
  }
  const watchers = watchDirectories([options.certFile, options.keyFile], () => void refresh(), options.onError);
  const poll = (options.pollIntervalMs ?? 10_000) > 0 ? setInterval(() => void refresh(), options.pollIntervalMs ?? 10_000) : undefined;
  poll?.unref();
  return {
    current: () => pair,
    onChange: (listener) => void listeners.push(listener),
    refresh,
    stop: () => {
      if (poll !== undefined) clearInterval(poll);
      for (const w of watchers) w.close();
    },
  };
}

function watchDirectories(files: readonly string[], onChange: () => void, onError: SourceEvents['onError']): FSWatcher[] {
  const names = new Set(files.map((f) => basename(f)));
  let pending: NodeJS.Timeout | undefined;
  const debounced = (): void => {
    // Cert and key are usually written in quick succession: read once both are there.
    clearTimeout(pending);
    pending = setTimeout(onChange, 50);
    pending.unref();
  };
  const watchers: FSWatcher[] = [];
  for (const dir of new Set(files.map((f) => dirname(f)))) {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name) || name.startsWith('..')) debounced();
      });
      w.on('error', (err) => onError('watch', err));
      watchers.push(w);
    } catch (err) {
      // The poll still notices changes; the watch only makes it quicker.
      onError('watch', err);
    }
  }
  return watchers;
}

export interface SelfSignedOptions extends SourceEvents {
  readonly names: readonly string[];
  /** Clock seam, ms; default `Date.now`. */
  readonly now?: () => number;
  /** Default one year (Kube-OVN). */
  readonly validityMs?: number;
  /** Renewed once less than this remains, ms; default 30 days. */
  readonly renewBeforeMs?: number;
  /** How often expiry is checked, ms; default one hour (Kube-OVN). 0: no timer (tests). */
  readonly checkIntervalMs?: number;
}

/** An in-memory self-signed certificate for `names`, checked every hour and renewed before it expires. */
export async function createSelfSignedTlsSource(options: SelfSignedOptions): Promise<TlsSource> {
  const now = options.now ?? Date.now;
  const validityMs = options.validityMs ?? SELF_SIGNED_VALIDITY_MS;
  const renewBeforeMs = options.renewBeforeMs ?? 30 * 24 * 3600 * 1000;
  // Loaded only here: @peculiar/x509 and its dependencies cost start-up time and idle memory
  // nobody else needs. A run-time URL, so the bundler leaves it to dist/certificates.js.
  const { createSelfSigned } = (await import(CERTIFICATES_MODULE)) as typeof Certificates;
  let pair = await createSelfSigned(options.names, now(), validityMs);
  let notAfter = notAfterOf(pair.cert);
  options.onLoaded('self-signed', { names: options.names, notAfter: new Date(notAfter).toISOString() });
  const listeners: Array<(p: KeyPair) => void> = [];
  async function refresh(): Promise<void> {
    if (now() < notAfter - renewBeforeMs) return;
    try {
      pair = await createSelfSigned(options.names, now(), validityMs);
      notAfter = notAfterOf(pair.cert);
    } catch (err) {
      options.onError('renew', err);
      return;
    }
    options.onLoaded('renewed', { names: options.names, notAfter: new Date(notAfter).toISOString() });
    for (const listener of listeners) listener(pair);
  }
  const intervalMs = options.checkIntervalMs ?? 3600_000;
  const timer = intervalMs > 0 ? setInterval(() => void refresh(), intervalMs) : undefined;
  timer?.unref();
  return {
    current: () => pair,
    onChange: (listener) => void listeners.push(listener),
    refresh,
    stop: () => clearInterval(timer),
  };
}
