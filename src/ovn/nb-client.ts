import type { OvnConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { createOvsdbClient } from './client.js';
import type { LatencyRecorder, OvsdbClient } from './client.js';
import { NB_TABLES } from './nb-names.js';

/** The northbound client as `--ovn-nb-addr` and the timeouts configure it; `undefined` when northbound is off. */
export function createNbClient(config: OvnConfig, logger: Logger, latency?: LatencyRecorder): OvsdbClient | undefined {
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
