import { show } from './errors.js';
import { SETTINGS } from './settings.js';
import type { SettingKey, SettingSpec } from './settings.js';

/** Environment lookups with the OTel rule applied everywhere: an empty variable counts as unset. */
export interface EnvSource {
  get(name: string): string | undefined;
  /** The first variable that is set, as `[name, value]`; `[names[0], undefined]` when none is. */
  first(...names: [string, ...string[]]): [string, string | undefined];
}

export function createEnvSource(env: Readonly<Record<string, string | undefined>>): EnvSource {
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    get,
    first: (...names) => {
      for (const name of names) {
        const value = get(name);
        if (value !== undefined) return [name, value];
      }
      return [names[0], undefined];
    },
  };
}

/** One setting's raw value and where it came from. */
export interface Resolved {
  readonly raw: string;
  /** The setting as the user gave it (flag or variable); for a default, the flag (else the variable). */
  readonly name: string;
  /** Given by the user (flag, or a non-empty variable), as opposed to the default. */
  readonly explicit: boolean;
}

export type Resolver = (key: SettingKey) => Resolved;

/** Flag over environment variable over default, per DESIGN.md §4. */
export function createResolver(flags: ReadonlyMap<string, string>, env: EnvSource): Resolver {
  return (key) => {
    const spec: SettingSpec = SETTINGS[key];
    if (spec.flag !== undefined) {
      const fromFlag = flags.get(spec.flag);
      if (fromFlag !== undefined) return { raw: fromFlag, name: spec.flag, explicit: true };
    }
    if (spec.env !== undefined) {
      const fromEnv = env.get(spec.env);
      if (fromEnv !== undefined) return { raw: fromEnv, name: spec.env, explicit: true };
    }
    return { raw: spec.default, name: spec.flag ?? spec.env ?? key, explicit: false };
  };
}

/** A setting and its value for an error message: ``NAME `v` `` when given, ``NAME (default `v`)`` otherwise. */
export function describe(resolved: Resolved): string {
  return resolved.explicit ? `${resolved.name} ${show(resolved.raw)}` : `${resolved.name} (default ${show(resolved.raw)})`;
}
