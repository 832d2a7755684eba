import type { ServerResponse } from 'node:http';
import type { Encoder } from './encode.js';
import type { Matcher } from './selectors.js';
import type { Store } from './store.js';
import type { KubeObject, StoreEvent } from './types.js';

/** What one watch request asked for. */
export interface WatchRequest {
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly match: Matcher;
  /** `group/version` (or `v1`) the client addressed; objects are served with it. */
  readonly apiVersion: string;
  readonly kind: string;
  /** undefined/'0'/'' = synthetic ADDED for current objects; otherwise resume after it. */
  readonly resourceVersion: string | undefined;
  readonly bookmarks: boolean;
  /** Stream end in seconds; the real server picks 30-60 min when unset. */
  readonly timeoutSeconds: number | undefined;
  /** Per-watcher object encoding (kubectl's Table watches); unset = shared encoding. */
  readonly transform?: (obj: KubeObject) => string;
}

interface Watcher {
  readonly req: WatchRequest;
  readonly res: ServerResponse;
  timer: NodeJS.Timeout | undefined;
}

function line(type: string, objectJson: string): string {
  return `{"type":"${type}","object":${objectJson}}\n`;
}

/**
 * Fans store events out to open watch streams. Each event is encoded once per
 * (type, apiVersion) and the same string is written to every interested watcher.
 */
export class WatchHub {
  private readonly byResource = new Map<string, Set<Watcher>>();
  private readonly bookmarkTimer: NodeJS.Timeout | undefined;
  private opened = 0;
  private readonly corked = new Set<ServerResponse>();

  constructor(
    private readonly store: Store,
    private readonly encoder: Encoder,
    bookmarkIntervalMs: number,
  ) {
    store.subscribe((event) => this.dispatch(event));
    if (bookmarkIntervalMs > 0) {
      this.bookmarkTimer = setInterval(() => this.bookmark(), bookmarkIntervalMs);
      this.bookmarkTimer.unref();
    }
  }

  /** Watch streams opened since start. */
  get total(): number {
    return this.opened;
  }

  get open(): number {
    let n = 0;
    for (const set of this.byResource.values()) n += set.size;
    return n;
  }

  private encoded(event: StoreEvent, type: string, obj: KubeObject, apiVersion: string, w: Watcher): string {
    if (w.req.transform !== undefined) return line(type, w.req.transform(obj === event.object ? obj : { ...obj, metadata: { ...obj.metadata, resourceVersion: String(event.rv) } }));
    const key = `${type}|${obj === event.object ? '' : 'prev'}|${apiVersion}`;
    event.lines ??= new Map();
    let s = event.lines.get(key);
    if (s === undefined) {
      const served = obj === event.object ? obj : { ...obj, metadata: { ...obj.metadata, resourceVersion: String(event.rv) } };
      s = line(type, this.encoder.object(served, apiVersion));
      event.lines.set(key, s);
    }
    return s;
  }

  /** The line this watcher should see for `event`, after namespace and selector filtering. */
  private lineFor(w: Watcher, event: StoreEvent): string | undefined {
    const ns = w.req.namespace;
    if (ns !== undefined && event.object.metadata.namespace !== ns) return undefined;
    const { match, apiVersion } = w.req;
    if (event.type === 'ADDED') return match(event.object) ? this.encoded(event, 'ADDED', event.object, apiVersion, w) : undefined;
    if (event.type === 'DELETED') return match(event.object) ? this.encoded(event, 'DELETED', event.object, apiVersion, w) : undefined;
    const now = match(event.object);
    const before = event.prev !== undefined && match(event.prev);
    if (now && before) return this.encoded(event, 'MODIFIED', event.object, apiVersion, w);
    if (now) return this.encoded(event, 'ADDED', event.object, apiVersion, w);
    if (before && event.prev !== undefined) return this.encoded(event, 'DELETED', event.prev, apiVersion, w);
    return undefined;
  }

  private dispatch(event: StoreEvent): void {
    const set = this.byResource.get(event.resource);
    if (set === undefined) return;
    for (const w of set) {
      const text = this.lineFor(w, event);
      if (text === undefined) continue;
      // Cork until the end of this loop turn so a burst of writes becomes one syscall per watcher.
      if (!this.corked.has(w.res)) {
        w.res.cork();
        this.corked.add(w.res);
        if (this.corked.size === 1) setImmediate(() => this.uncorkAll());
      }
      w.res.write(text);
    }
  }

  private uncorkAll(): void {
    for (const res of this.corked) res.uncork();
    this.corked.clear();
  }

  private bookmark(): void {
    const rv = String(this.store.resourceVersion);
    for (const set of this.byResource.values()) {
      for (const w of set) {
        if (!w.req.bookmarks) continue;
        const obj = JSON.stringify({ kind: w.req.kind, apiVersion: w.req.apiVersion, metadata: { resourceVersion: rv } });
        w.res.write(line('BOOKMARK', obj));
      }
    }
  }

  private expiredLine(rv: string, current: number): string {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${rv} (${current})`, reason: 'Expired', code: 410 };
    return line('ERROR', JSON.stringify(status));
  }

  /** Serves one watch on `res`: headers flushed at once, then initial/replayed events, then live ones. */
  serve(req: WatchRequest, res: ServerResponse): void {
    this.opened += 1;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const rvText = req.resourceVersion;
    const fromNow = rvText === undefined || rvText === '' || rvText === '0';
    const rv = fromNow ? 0 : Number(rvText);
    if (!fromNow) {
      const check = this.store.checkHistory(rv);
      if (!check.ok) {
        res.end(this.expiredLine(rvText ?? '', check.current));
        return;
      }
    }
    const w: Watcher = { req, res, timer: undefined };
    if (fromNow) {
      for (const [, obj] of this.store.list(req.resource, req.namespace)) {
        if (req.match(obj)) res.write(line('ADDED', req.transform !== undefined ? req.transform(obj) : this.encoder.object(obj, req.apiVersion)));
      }
    } else {
      for (const event of this.store.since(rv)) {
        if (event.resource !== req.resource) continue;
        const text = this.lineFor(w, event);
        if (text !== undefined) res.write(text);
      }
    }
    this.register(w);
  }

  private register(w: Watcher): void {
    let set = this.byResource.get(w.req.resource);
    if (set === undefined) {
      set = new Set();
      this.byResource.set(w.req.resource, set);
    }
    set.add(w);
    const seconds = w.req.timeoutSeconds ?? 1800 * (1 + Math.random());
    w.timer = setTimeout(() => w.res.end(), seconds * 1000);
    w.timer.unref();
    w.res.once('close', () => {
      clearTimeout(w.timer);
      set.delete(w);
    });
  }

  /** Fault: destroys every open watch connection without a clean chunked end. Returns how many. */
  dropAll(): number {
    let n = 0;
    for (const set of this.byResource.values()) {
      for (const w of [...set]) {
        n += 1;
        set.delete(w);
        clearTimeout(w.timer);
        w.res.socket?.destroy();
        w.res.destroy();
      }
    }
    return n;
  }

  close(): void {
    clearInterval(this.bookmarkTimer);
    this.dropAll();
  }
}
