import type { CheckResult } from '../../check/index.js';

export interface InformerSyncCheck {
  readonly name: 'informer-sync';
  run(): CheckResult;
}

/**
 * Readiness check `informer-sync`: fails while any informer has not synced, naming them,
 * e.g. `not synced: pods, subnets`. Informers are read at each run, so the list may grow.
 */
export function createInformerSyncCheck(informers: Iterable<{ readonly name: string; hasSynced(): boolean }>): InformerSyncCheck {
  return {
    name: 'informer-sync',
    run() {
      const pending: string[] = [];
      for (const informer of informers) if (!informer.hasSynced()) pending.push(informer.name);
      return pending.length === 0 ? { ok: true } : { ok: false, reason: `not synced: ${pending.join(', ')}` };
    },
  };
}
