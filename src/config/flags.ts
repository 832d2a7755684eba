import { ConfigError, show } from './errors.js';
import { SETTING_LIST } from './settings.js';

export type ArgvScan =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'flags'; readonly values: ReadonlyMap<string, string> };

const HELP = new Set(['--help', '-h']);

interface FlagInfo {
  readonly boolean: boolean;
}

function knownFlags(): Map<string, FlagInfo> {
  const flags = new Map<string, FlagInfo>();
  for (const [, spec] of SETTING_LIST) {
    if (spec.flag !== undefined) flags.set(spec.flag, { boolean: spec.boolean === true });
  }
  return flags;
}

/**
 * Tokenises argv the way pflag users expect: `--name=value` and `--name value`; a boolean flag
 * alone means `true` and takes its value only as `--name=value`; a repeated flag: the last wins.
 * `--help`/`-h` (then `--version`) anywhere wins over everything else, so they work whatever the
 * rest of the line says. Unknown flags and positional arguments are errors.
 */
export function scanArgv(argv: readonly string[]): ArgvScan {
  if (argv.some((a) => HELP.has(a))) return { kind: 'help' };
  if (argv.includes('--version')) return { kind: 'version' };
  const flags = knownFlags();
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (!token.startsWith('-') || token === '-' || token === '--') throw positional(token, argv[i - 1], flags);
    const eq = token.indexOf('=');
    const name = eq < 0 ? token : token.slice(0, eq);
    const info = flags.get(name);
    if (info === undefined) throw unknownFlag(name, [...flags.keys()]);
    if (eq >= 0) {
      values.set(name, token.slice(eq + 1));
    } else if (info.boolean) {
      values.set(name, 'true');
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new ConfigError(`${name}: missing value (write ${name}=<value> or ${name} <value>)`);
      values.set(name, next);
      i++;
    }
  }
  return { kind: 'flags', values };
}

function positional(token: string, previous: string | undefined, flags: ReadonlyMap<string, FlagInfo>): ConfigError {
  if (previous !== undefined && flags.get(previous)?.boolean === true) {
    return new ConfigError(`${previous}: a boolean flag takes its value after \`=\` (${previous}=${token}), got ${show(token)} as a separate argument`);
  }
  return new ConfigError(`unexpected argument ${show(token)}: kube-ovn-controller takes only --flags (see --help)`);
}

function unknownFlag(name: string, known: readonly string[]): ConfigError {
  const guess = closest(name, known);
  const hint = guess === undefined ? '' : `; did you mean ${guess}?`;
  return new ConfigError(`${name}: unknown flag${hint} (see --help for the list)`);
}

/** The known flag nearest to a typo (underscores read as dashes), if it is close enough to be a plausible guess. */
function closest(name: string, known: readonly string[]): string | undefined {
  const wanted = name.replace(/^-+/, '--').replace(/_/g, '-');
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(wanted, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
