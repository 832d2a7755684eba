export { parseConfig } from './parse.js';
export type { ConfigResult, ParseConfigInput } from './parse.js';
export type { CompileSubnet } from './default-subnet.js';
export { formatDuration, parseGoDuration } from './durations.js';
export type { OvnConfig, OvsdbEndpoint, OvsdbTlsFiles } from './ovn.js';
export { credentialsOf } from './otlp.js';
export type { SecureServingConfig, TlsVersion } from './serving.js';
export type {
  Config,
  DefaultSubnetConfig,
  ExporterConfig,
  HealthConfig,
  LeaderElectionConfig,
  MetricsConfig,
  PodIdentity,
} from './types.js';
