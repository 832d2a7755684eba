/**
 * Every page of a list, with the next page requested while this one is decoded. Paging one
 * request at a time leaves the two sides taking turns: the server encodes a page while the
 * client waits, then the client decodes it while the server waits. A page's continue token
 * leads its body, so the next request can go out as soon as the bytes have arrived
 * (`ListOptions.prefetch`); on two cores the server's encoding of page N+1 then overlaps the
 * client's decoding of page N.
 *
 * Pages are read into two buffers in turn: page N+2 is requested once page N+1's bytes have
 * arrived, after page N was decoded (decoding is synchronous, right after its prefetch), so a
 * buffer is never refilled while its page is decoded. Fetching runs ahead of the consumer by
 * itself; stopping the iteration, or a failed page, aborts whatever is still in flight.
 */
import { PageBuffer } from './page-buffer.js';
import type { ListOptions } from './client.js';
import type { KubeList, KubeObject } from './types.js';

/** What a paging caller sets; the paging itself owns `continue`, `pageBuffer` and `prefetch`. */
export type PagedListOptions = Omit<ListOptions, 'continue' | 'pageBuffer' | 'prefetch'>;

interface Fetched<U extends KubeObject> {
  readonly page: KubeList<U>;
  /** The next page, requested before this one was decoded; absent when the token came only with the decode. */
  readonly ahead: Promise<Fetched<U>> | undefined;
}

/**
 * The pages of one list (one snapshot, through continue tokens), in order. `list` is one
 * `KubeClient.list` call of the caller's resource and item map with the options given; the
 * caller keeps the call (its resource is then named where the RBAC scan of test/deploy looks).
 */
export async function* listPages<U extends KubeObject>(list: (options: ListOptions) => Promise<KubeList<U>>, options: PagedListOptions): AsyncGenerator<KubeList<U>> {
  const buffers = [new PageBuffer(), new PageBuffer()];
  let turn = 0;
  const stop = new AbortController();
  const signal = options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
  const fetch = (cont: string | undefined): Promise<Fetched<U>> => {
    let ahead: Fetched<U>['ahead'];
    const prefetch = (token: string): void => {
      ahead = fetch(token);
      // Awaited only when the iteration gets there; a failure before that is reported then, or dropped with an abandoned iteration.
      ahead.catch(() => {});
    };
    const pageBuffer = buffers[turn++ % 2] as PageBuffer;
    return list({ ...options, ...(cont === undefined ? {} : { continue: cont }), pageBuffer, prefetch, signal }).then((page) => ({ page, ahead }));
  };
  try {
    let next = fetch(undefined);
    for (;;) {
      const { page, ahead } = await next;
      yield page;
      const cont = page.continue;
      if (cont === undefined || cont === '') return;
      // Aborted between pages: a caller must not take the pages so far for the whole list.
      if (options.signal?.aborted === true) throw options.signal.reason as Error;
      // A prefetched page's token is the one its page resolves with (`ListOptions.prefetch`).
      next = ahead ?? fetch(cont);
    }
  } finally {
    stop.abort(new Error('list paging stopped'));
  }
}
