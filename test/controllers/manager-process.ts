/**
 * Runs one controller manager in its own process against the API server at argv[2] (identity
 * argv[3]), printing `ready` once Ready, so a test can SIGKILL it mid-burst.
 */
import { createControllerManager } from '../../src/controllers/index.js';
import { until, startEnvAt, testConfig } from './support.js';

const url = process.argv[2] ?? '';
const identity = process.argv[3] ?? 'child';
const env = startEnvAt(url);
const manager = createControllerManager({ config: testConfig({ workerNum: 4 }, identity), client: env.newClient(), logger: env.logger });
void manager.run(new AbortController().signal);
await until(() => manager.readinessChecks.every((c) => (c.run() as { ok: boolean }).ok), 'ready', 30_000);
process.stdout.write('ready\n');
