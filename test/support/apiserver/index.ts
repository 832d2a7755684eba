export { startApiServer } from './server.js';
export type { ApiServer, ApiServerOptions } from './server.js';
export { Faults } from './faults.js';
export type { FailOptions } from './faults.js';
export { kubeconfigYaml, KUBECONFIG_TOKEN } from './kubeconfig.js';
export { SERVER_VERSION } from './discovery.js';
