export { bearerToken, createAccessFilter } from './access.js';
export type { AccessFilter, AccessFilterOptions, AccessOutcome, AccessReviewer, NonResourceAttributes, TokenResult, UserInfo } from './access.js';
// certificates.js (createSelfSigned) is not re-exported: it loads @peculiar/x509, which only the
// self-signed source needs, on demand.
export type { KeyPair } from './certificates.js';
export { checkTlsFiles, startMetricsEndpoint } from './endpoint.js';
export type { MetricsEndpoint, MetricsEndpointOptions } from './endpoint.js';
export { createLimiter, createTtlCache, LimitExceededError } from './limits.js';
export type { Limiter, LimiterOptions, TtlCache } from './limits.js';
export { listenDualStack } from './listen.js';
export { DEFAULT_LIMITS, startMetricsServer } from './metrics-server.js';
export type { ListenerLimits, MetricsServer, MetricsServerOptions, SecureOptions } from './metrics-server.js';
export { checkPair, createFileTlsSource, createSelfSignedTlsSource, notAfterOf } from './tls-source.js';
export type { FileSourceOptions, SelfSignedOptions, SourceEvents, TlsSource } from './tls-source.js';
