// Child process of bench/informer-memory.bench.ts: runs one pod informer (the controller's slim
// transform) from the compiled modules in DIR until it has synced, then prints one JSON line:
// sync time, peak RSS (VmHWM), RSS and V8 heap used after a full GC.
// Usage: node --expose-gc bench/support/informer-sync.mjs DIR KUBECONFIG
import { readFileSync } from 'node:fs';

const [dir, kubeconfigPath] = process.argv.slice(2);
const kube = await import(`${dir}/kube/index.js`);
const { loadKubeConfig } = await import(`${dir}/kube/kubeconfig.js`);
// controllers/pod/rules.js since the controllers reshape; controllers/pod-rules.js before it.
const { slimPod } = await import(`${dir}/controllers/pod/rules.js`).catch(() => import(`${dir}/controllers/pod-rules.js`));
const { createLogger } = await import(`${dir}/log/index.js`);
const { RESOURCES } = await import(`${dir}/kube/client/resources.js`);

const status = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
const logger = createLogger({ level: 'warn' });
const loaded = loadKubeConfig(kubeconfigPath);
if (!loaded.ok) throw new Error(loaded.message);
const client = kube.createKubeClient({ kubeconfig: loaded.kubeconfig, logger });
const informer = kube.createInformer({ client, resource: RESOURCES.pods, transform: slimPod, logger });
const stop = new AbortController();
globalThis.gc();
const baseHwm = status('VmHWM');
const started = performance.now();
const running = informer.run(stop.signal);
await informer.waitForSync(stop.signal);
const syncMs = performance.now() - started;
const hwmMiB = status('VmHWM');
globalThis.gc();
const out = { objects: informer.list().length, syncMs: Math.round(syncMs), baseHwmMiB: Math.round(baseHwm), hwmMiB: Math.round(hwmMiB), rssMiB: Math.round(status('VmRSS')), heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20) };
stop.abort();
await running;
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
