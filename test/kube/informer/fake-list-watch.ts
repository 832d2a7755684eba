import type { KubeClient, KubeList, KubeObject, ListOptions, WatchEvent, WatchOptions, WatchStream } from '../../../src/kube/client/index.js';

/** A watch stream the test drives: push events, then end or fail it. */
export interface ScriptedWatch {
  readonly options: WatchOptions;
  push(type: WatchEvent['type'], object: KubeObject): void;
  end(): void;
  fail(error: Error): void;
  readonly closed: boolean;
}

type Item = { event: WatchEvent } | { error: Error } | { end: true };

function scriptedWatch(options: WatchOptions): ScriptedWatch & WatchStream {
  const queue: Item[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  const put = (item: Item): void => {
    queue.push(item);
    wake?.();
  };
  options.signal?.addEventListener('abort', () => put({ error: new Error('aborted') }), { once: true });
  async function* iterate(): AsyncGenerator<WatchEvent> {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const item = queue.shift() as Item;
      if ('end' in item) return;
      if ('error' in item) throw item.error;
      yield item.event;
    }
  }
  return {
    options,
    push: (type, object) => put({ event: { type, object } }),
    end: () => put({ end: true }),
    fail: (error) => put({ error }),
    get closed() {
      return closed;
    },
    close: () => void (closed = true),
    [Symbol.asyncIterator]: () => iterate(),
  };
}

/** A list/watch client whose answers the test scripts; unscripted lists wait until scripted. */
export function createFakeListWatch() {
  const listScript: Array<KubeList | Error> = [];
  const listCalls: ListOptions[] = [];
  const watches: ScriptedWatch[] = [];
  const watchErrors: Error[] = [];
  const client: Pick<KubeClient, 'list' | 'watch'> = {
    async list<T extends KubeObject, U extends KubeObject = T>(_resource: unknown, options: ListOptions = {}, map?: (item: T) => U): Promise<KubeList<U>> {
      listCalls.push(options);
      const next = listScript.shift();
      if (next === undefined) throw new Error('no list scripted');
      if (next instanceof Error) throw next;
      // As the real client: `map` runs on each item of the page.
      return (map === undefined ? next : { ...next, items: (next.items as T[]).map(map) }) as KubeList<U>;
    },
    async watch<T extends KubeObject>(_resource: unknown, options: WatchOptions = {}): Promise<WatchStream<T>> {
      const error = watchErrors.shift();
      if (error !== undefined) throw error;
      const watch = scriptedWatch(options);
      watches.push(watch);
      return watch as unknown as WatchStream<T>;
    },
  };
  return {
    client,
    listCalls,
    watches,
    /** Scripts the next list answers (a page, or an error). */
    queueList(...answers: Array<KubeList | Error>): void {
      listScript.push(...answers);
    },
    /** The next watch calls fail to open with these errors. */
    failWatch(...errors: Error[]): void {
      watchErrors.push(...errors);
    },
    lastWatch(): ScriptedWatch {
      const w = watches.at(-1);
      if (w === undefined) throw new Error('no watch opened yet');
      return w;
    },
  };
}

export function pod(name: string, rv: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', resourceVersion: rv, creationTimestamp: '2026-01-02T03:04:05Z' }, ...extra };
}
