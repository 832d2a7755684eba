declare module 'json-merge-patch' {
  /** RFC 7396: mutates and returns `target` (or returns `patch` when it is not an object). */
  export function apply(target: unknown, patch: unknown): unknown;
}
