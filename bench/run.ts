/**
 * All benches in sequence, each in its own process (a fresh heap and JIT per bench), then a
 * table of every figure against its target. `npm run bench` builds first (the controller bench
 * runs dist/main.js). Run: tsx bench/run.ts [--quick] [--out FILE]
 * --quick: smaller sizes (IPAM 200k x 2, SDK 100k x 2, pods 200/2,000, no 50k step).
 * The controller bench programs a local OVN northbound (its --ovn) unless --no-ovn; where OVN is not
 * installed it says so in its line and measures without.
 * Raw JSON lines go to stdout as they arrive, and all of them to --out when given.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { evaluate } from './support/targets.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, out: { type: 'string' }, 'no-ovn': { type: 'boolean' } } });
const quick = values.quick === true;

interface Bench {
  readonly name: string;
  readonly file: string;
  readonly args: readonly string[];
}

const BENCHES: readonly Bench[] = [
  { name: 'ipam', file: 'ipam.bench.ts', args: quick ? ['200000', '2'] : [] },
  { name: 'metrics-sdk', file: 'metrics-sdk.bench.ts', args: quick ? ['--quick'] : [] },
  { name: 'controller', file: 'controller.bench.ts', args: [...(quick ? ['--quick'] : []), ...(values['no-ovn'] === true ? [] : ['--ovn'])] },
];

function runOne(b: Bench): Promise<Record<string, unknown>> {
  const file = fileURLToPath(new URL(b.file, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...b.args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) {
        reject(new Error(`${b.name} exited with ${code}: ${out.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const results: Record<string, Record<string, unknown>> = {};
  let failed = false;
  for (const b of BENCHES) {
    const t0 = Date.now();
    try {
      results[b.name] = await runOne(b);
      process.stdout.write(`${JSON.stringify(results[b.name])}\n`);
    } catch (err) {
      failed = true;
      process.stderr.write(`bench ${b.name} failed: ${(err as Error).message}\n`);
    }
    process.stderr.write(`# ${b.name}: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const rows = evaluate(results);
  process.stdout.write('\n| figure | measured | target | met |\n|---|---|---|---|\n');
  for (const r of rows) process.stdout.write(`| ${r.figure} | ${r.measured} | ${r.target} | ${r.met ? 'yes' : '**no**'} |\n`);
  process.stdout.write(`\nquick=${quick}, total ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  if (values.out !== undefined) await writeFile(values.out, `${JSON.stringify({ quick, results, rows })}\n`);
  if (failed) process.exitCode = 1;
}

await main();
