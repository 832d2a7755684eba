/**
 * What the pod reconciler remembers about pods during one leadership term, behind intent-named
 * operations; only this file touches the sets. "Committed": the pod's annotations are known to
 * carry its IPAM allocation (we patched them, or saw them). "Parked": the pod could not get an
 * address and waits for a subnet to gain room or change.
 */
export interface PodBook {
  /** The pod's annotations carry its allocation (written by us or seen). */
  markCommitted(key: string): void;
  isCommitted(key: string): boolean;
  /** The pod waits for `subnet` to have room (or to become servable). */
  parkUntilRoom(subnet: string, key: string): void;
  /** Enqueues the pods parked on `subnet` (on every subnet when undefined) and forgets them. */
  wake(subnet?: string): void;
  /** The pod is gone or released: neither committed nor parked any more. */
  forget(key: string): void;
}

/** `enqueuePod` is how a woken pod gets reconciled again (the pod queue of the same term). */
export function createPodBook(enqueuePod: (key: string) => void): PodBook {
  const committed = new Set<string>();
  const parked = new Map<string, Set<string>>();
  return {
    markCommitted: (key) => void committed.add(key),
    isCommitted: (key) => committed.has(key),
    parkUntilRoom(subnet, key) {
      let set = parked.get(subnet);
      if (set === undefined) {
        set = new Set();
        parked.set(subnet, set);
      }
      set.add(key);
    },
    wake(subnet) {
      const subnets = subnet === undefined ? [...parked.keys()] : [subnet];
      for (const name of subnets) {
        const set = parked.get(name);
        if (set === undefined) continue;
        parked.delete(name);
        for (const key of set) enqueuePod(key);
      }
    },
    forget(key) {
      committed.delete(key);
      for (const set of parked.values()) set.delete(key);
    },
  };
}
