import { strict as assert } from 'node:assert';
import { parseConfig } from '../../src/config/index.js';
import type { CompileSubnet } from '../../src/config/index.js';
import { compileSubnetSpec } from '../../src/ipam/index.js';

/** The compile step main.ts passes in (the IPAM's). */
export const compileSubnet: CompileSubnet = (spec) => {
  const r = compileSubnetSpec(spec);
  return r.ok ? { ok: true, cidrBlock: r.subnet.cidrBlock } : r;
};
import type { Config, ConfigResult } from '../../src/config/index.js';

export type Env = Record<string, string | undefined>;

/** Parses with a fixed version and host name; helpers assert the result kind. */
export function setup(base: { env?: Env; hostname?: string } = {}) {
  const run = (argv: readonly string[] = [], env: Env = {}): ConfigResult =>
    parseConfig({ argv, env: { ...base.env, ...env }, version: '9.8.7', hostname: base.hostname ?? 'node-host', compileSubnet });
  return {
    run,
    ok(argv: readonly string[] = [], env: Env = {}): Config {
      const result = run(argv, env);
      if (result.kind !== 'ok') assert.fail(`expected ok, got ${JSON.stringify(result)}`);
      return result.config;
    },
    warnings(argv: readonly string[] = [], env: Env = {}): readonly string[] {
      const result = run(argv, env);
      if (result.kind !== 'ok') assert.fail(`expected ok, got ${JSON.stringify(result)}`);
      return result.warnings;
    },
    error(argv: readonly string[] = [], env: Env = {}): string {
      const result = run(argv, env);
      if (result.kind !== 'error') assert.fail(`expected error, got ${JSON.stringify(result).slice(0, 300)}`);
      return result.message;
    },
  };
}
