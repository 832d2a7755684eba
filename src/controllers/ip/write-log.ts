/**
 * IP objects this term wrote, by name, with a fingerprint of what was written: a reconcile that
 * runs before the informer delivers our own create must not create it again. Only the IP
 * reconciler writes it; the informer's delete clears an entry.
 */
export interface IpWriteLog {
  /** Remember that we wrote `name` with this content. */
  rememberWrite(name: string, fingerprint: string): void;
  /** True when our last write of `name` had this content (the cache may not show it yet). */
  wrote(name: string, fingerprint: string): boolean;
  /** The object is gone (deleted, or being collected by us). */
  forget(name: string): void;
}

export function createIpWriteLog(): IpWriteLog {
  const written = new Map<string, string>();
  return {
    rememberWrite: (name, fingerprint) => void written.set(name, fingerprint),
    wrote: (name, fingerprint) => written.get(name) === fingerprint,
    forget: (name) => void written.delete(name),
  };
}
