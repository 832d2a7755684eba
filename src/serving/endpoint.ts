import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { SecureServingConfig } from '../config/index.js';
import type { Logger, RateLimitedLogger } from '../log/index.js';
import { createAccessFilter } from './access.js';
import type { AccessFilterOptions, AccessReviewer } from './access.js';
import { startMetricsServer } from './metrics-server.js';
import type { ListenerLimits } from './metrics-server.js';
import { checkPair, createFileTlsSource, createSelfSignedTlsSource } from './tls-source.js';
import type { SourceEvents, TlsSource } from './tls-source.js';

export interface MetricsEndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly handler: (request: IncomingMessage, response: ServerResponse) => void;
  /** `--secure-serving`; absent: plain HTTP. */
  readonly secure?: SecureServingConfig;
  /** Required with `secure`: the TokenReview/SubjectAccessReview calls. */
  readonly reviewer?: AccessReviewer;
  readonly logger: Logger;
  readonly limited: RateLimitedLogger;
  /** Test seams. */
  readonly limits?: Partial<ListenerLimits>;
  readonly access?: Omit<AccessFilterOptions, 'reviewer' | 'onError'>;
  readonly certPollIntervalMs?: number;
}

export interface MetricsEndpoint {
  readonly host: string;
  readonly port: number;
  readonly scheme: 'http' | 'https';
  close(timeoutMs: number): Promise<void>;
}

/**
 * The Prometheus endpoint: plain HTTP, or with `secure` HTTPS from the certificate files (reloaded
 * on change) or a self-signed certificate, behind bearer-token authentication and authorization.
 * Rejects when it cannot listen or the certificate cannot be had.
 */
export async function startMetricsEndpoint(options: MetricsEndpointOptions): Promise<MetricsEndpoint> {
  const { secure, logger, limited } = options;
  const onError = (what: 'server' | 'client', err: unknown): void => {
    // Failed handshakes and malformed requests are the client's problem: debug only.
    if (what === 'client') logger.debug({ err }, 'metrics client error');
    else limited.log('error', 'metrics.server', { err }, 'metrics server error');
  };
  if (secure === undefined) {
    const server = await startMetricsServer({ host: options.host, port: options.port, handler: options.handler, onError, ...(options.limits ? { limits: options.limits } : {}) });
    return { host: server.host, port: server.port, scheme: 'http', close: (ms) => server.close(ms) };
  }
  if (options.reviewer === undefined) throw new Error('secure serving needs an access reviewer (the kube client)');
  const source = await openTlsSource(secure, logger, limited, options.certPollIntervalMs);
  const access = createAccessFilter({
    ...options.access,
    reviewer: options.reviewer,
    onError: (what, err) => limited.log('error', `metrics.${what}`, { err }, `metrics ${what} review failed; answering 500`),
  });
  try {
    const server = await startMetricsServer({
      host: options.host,
      port: options.port,
      handler: options.handler,
      secure: { source, access, minVersion: secure.minVersion, ciphers: secure.ciphers },
      onError,
      ...(options.limits ? { limits: options.limits } : {}),
    });
    return {
      host: server.host,
      port: server.port,
      scheme: 'https',
      close: async (ms) => {
        source.stop();
        await server.close(ms);
      },
    };
  } catch (err) {
    source.stop();
    throw err;
  }
}

async function openTlsSource(secure: SecureServingConfig, logger: Logger, limited: RateLimitedLogger, pollIntervalMs: number | undefined): Promise<TlsSource> {
  const events: SourceEvents = {
    onLoaded: (what, detail) => logger.info(detail, `serving certificate ${what}`),
    onError: (what, err) => limited.log('error', `serving-certificate.${what}`, { err }, `serving certificate ${what} failed; the previous certificate keeps serving`),
  };
  if (secure.certFile === '') return createSelfSignedTlsSource({ names: secure.selfSignedNames, ...events });
  return createFileTlsSource({ certFile: secure.certFile, keyFile: secure.keyFile, ...events, ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }) });
}

/**
 * Checks the certificate files of `--tls-cert-file`/`--tls-private-key-file` once, before anything
 * listens: undefined when usable (or not configured), else one line naming the flags, the files
 * and what is wrong, for an exit with code 2.
 */
export function checkTlsFiles(secure: SecureServingConfig | undefined): string | undefined {
  if (secure === undefined || secure.certFile === '') return undefined;
  try {
    checkPair({ cert: readFileSync(secure.certFile, 'utf8'), key: readFileSync(secure.keyFile, 'utf8') });
    return undefined;
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    return `--tls-cert-file/--tls-private-key-file: cannot use \`${secure.certFile}\` and \`${secure.keyFile}\`: ${reason}; expected a PEM certificate and its PEM private key`;
  }
}
