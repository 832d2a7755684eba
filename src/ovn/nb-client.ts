import type { Histogram } from '@opentelemetry/api';
import type { OvnConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { createOvsdbClient } from './client.js';
import type { OvsdbClient } from './client.js';
import { NB_TABLES } from './nb-names.js';

/** The northbound client as `--ovn-nb-addr` and the timeouts configure it; `undefined` when northbound is off. */
export function createNbClient(config: OvnConfig, logger: Logger, latency?: Histogram<{ db: string; method: string; code: 'ok' | 'error' | 'timeout' | 'closed' }>): OvsdbClient | undefined {
  if (config.nb.kind === 'off') return undefined;
  return createOvsdbClient({
    endpoints: config.nb.endpoints,
    database: 'OVN_Northbound',
    tables: NB_TABLES,
    callTimeoutMs: config.timeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
    inactivityTimeoutMs: config.inactivityTimeoutMs,
    ...(config.nb.tls === undefined ? {} : { tls: config.nb.tls }),
    logger,
    ...(latency === undefined ? {} : { latency }),
  });
}
