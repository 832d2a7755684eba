/** `metav1.Time`: RFC 3339 with second precision, as kube-apiserver serialises it. `ms` since the epoch. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
