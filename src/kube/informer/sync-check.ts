import type { CheckResult } from '../../check/index.js';

export interface InformerSyncCheck {
  readonly name: 'informer-sync';
  run(): CheckResult;
}

/**
 * Readiness check `informer-sync`: fails until every informer has had one complete list,
 * naming those that have not, e.g. `not synced: pods, subnets`. A relist after a 410 does not
 * fail it again (client-go's HasSynced). Informers are read at each run, so the list may grow.
 */
export function createInformerSyncCheck(informers: Iterable<{ readonly name: string; hasSyncedOnce(): boolean }>): InformerSyncCheck {
  return {
    name: 'informer-sync',
    run() {
      const pending: string[] = [];
      for (const informer of informers) if (!informer.hasSyncedOnce()) pending.push(informer.name);
      return pending.length === 0 ? { ok: true } : { ok: false, reason: `not synced: ${pending.join(', ')}` };
    },
  };
}
