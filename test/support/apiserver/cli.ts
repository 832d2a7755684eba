import { parseArgs } from 'node:util';
import { startApiServer } from './server.js';

const USAGE = 'usage: npm run apiserver -- --port N --kubeconfig-out PATH [--state FILE] [--crd FILE ...] [--history N] [--bookmark-ms N]';

function intOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected an integer >= ${min}, got \`${raw}\``);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'kubeconfig-out': { type: 'string' },
      state: { type: 'string' },
      crd: { type: 'string', multiple: true },
      history: { type: 'string' },
      'bookmark-ms': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = intOption('port', values.port, 0, 0);
  if (port > 65535) throw new Error(`--port: expected a port 0-65535, got \`${port}\``);
  const server = await startApiServer({
    port,
    historyLimit: intOption('history', values.history, 10_000, 1),
    bookmarkIntervalMs: intOption('bookmark-ms', values['bookmark-ms'], 1000, 0),
    ...(values.state !== undefined ? { statePath: values.state } : {}),
    crds: values.crd ?? [],
  });
  if (values['kubeconfig-out'] !== undefined) await server.writeKubeconfig(values['kubeconfig-out']);
  process.stdout.write(`${server.url}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(1);
    stopping = true;
    const save = values.state !== undefined ? server.saveState(values.state) : Promise.resolve();
    save
      .then(() => server.close())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        process.stderr.write(`apiserver: stopping on ${signal} failed: ${(err as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`apiserver: ${(err as Error).message}\n${USAGE}\n`);
  process.exit(2);
});
