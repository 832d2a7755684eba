// `npm run chaos -- --runs N --seed S [--steps K] [--per-step M] [--time-limit 10m] [--replay-file F] [--path P] [--no-record]`
// Builds nothing: run `npm run build` first (the script does). Records its last result in
// bench/RESULTS.md (section "Chaos") and bench/chaos-last.json unless --no-record.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseGoDuration } from '../../../src/config/index.js';
import { explore, failureReport } from './explore.js';
import type { ExploreResult } from './explore.js';
import { INVARIANTS } from './invariants.js';
import { addCounts, runSequence } from './run.js';
import type { Step } from './model.js';

const BENCH = fileURLToPath(new URL('../../../bench/', import.meta.url));
const TMP = fileURLToPath(new URL('../../../.tmp/', import.meta.url));

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    seed: { type: 'string' },
    steps: { type: 'string', default: '8' },
    'per-step': { type: 'string', default: '4' },
    'time-limit': { type: 'string', default: '30m' },
    'replay-file': { type: 'string' },
    path: { type: 'string' },
    'no-record': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});

const log = values.quiet ? undefined : (line: string) => process.stdout.write(`${line}\n`);

async function replay(file: string): Promise<void> {
  const steps = JSON.parse(await readFile(file, 'utf8')) as Step[];
  try {
    const stats = await runSequence(steps, { ...(log === undefined ? {} : { log }) });
    process.stdout.write(`replay passed: ${stats.quiescentPoints} quiescent points, ${stats.commands} commands\n`);
  } catch (err) {
    process.stdout.write(`replay FAILED:\n${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}

function summary(result: ExploreResult, command: string): string {
  const rows = (Object.keys(INVARIANTS) as (keyof typeof INVARIANTS)[]).map((k) => `| \`${k}\` | ${INVARIANTS[k]} | ${result.counts[k].checked} | ${result.counts[k].violated} |`);
  return [
    `Last run: ${new Date().toISOString()} — \`${command}\` — ${result.ok ? 'PASSED' : 'FAILED'}`,
    '',
    `${result.runs} sequence(s), ${result.commands} commands, ${result.quiescentPoints} quiescent points, ${result.replicaExits} replica exit(s) replaced, ${Math.round(result.ms / 1000)} s.`,
    '',
    '| invariant | when | checked | violated |',
    '|---|---|---|---|',
    ...rows,
    ...(result.failure === undefined ? [] : ['', '```', failureReport(result, undefined).split('\n').slice(0, 30).join('\n'), '```']),
  ].join('\n');
}

async function record(result: ExploreResult, command: string): Promise<void> {
  const path = `${BENCH}RESULTS.md`;
  const text = await readFile(path, 'utf8');
  const section = `<!-- chaos:begin -->\n## Chaos (issue 10): \`npm run chaos\`\n\n${summary(result, command)}\n<!-- chaos:end -->`;
  const next = /<!-- chaos:begin -->[\s\S]*<!-- chaos:end -->/.test(text) ? text.replace(/<!-- chaos:begin -->[\s\S]*<!-- chaos:end -->/, section) : `${text.trimEnd()}\n\n${section}\n`;
  await writeFile(path, next);
  await writeFile(`${BENCH}chaos-last.json`, `${JSON.stringify({ ...result, at: new Date().toISOString(), command }, null, 2)}\n`);
}

async function main(): Promise<void> {
  if (values['replay-file'] !== undefined) return replay(values['replay-file']);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  const options = {
    runs: Number(values.runs),
    seed,
    steps: Number(values.steps),
    perStep: Number(values['per-step']),
    timeLimitMs: parseGoDuration(values['time-limit'], '--time-limit'),
    ...(values.path === undefined ? {} : { path: values.path }),
    ...(log === undefined ? {} : { log }),
  };
  const command = `npm run chaos -- --runs ${options.runs} --seed ${seed} --steps ${options.steps} --per-step ${options.perStep}${values.path === undefined ? '' : ` --path ${values.path}`}`;
  process.stdout.write(`${command}\n`);
  const result = await explore(options);
  let replayFile: string | undefined;
  if (result.failure !== undefined) {
    await mkdir(TMP, { recursive: true });
    replayFile = `${TMP}chaos-failure-${seed}.json`;
    await writeFile(replayFile, `${JSON.stringify(result.failure.steps)}\n`);
    process.stdout.write(`\n${failureReport(result, replayFile)}\n`);
    process.exitCode = 1;
  }
  process.stdout.write(`\n${summary(result, command)}\n`);
  if (!values['no-record']) await record(result, command);
}

await main();
