import type { DefaultSubnetConfig } from './types.js';
import { ConfigError, show } from './errors.js';
import { parseCidrs, parseExcludeIps, parseGateways } from './network.js';
import type { Resolved } from './sources.js';
import { parseObjectName } from './values.js';

/**
 * The Subnet compile step, as a seam: `src/ipam`'s `compileSubnetSpec` in production (passed in by
 * `main.ts`, since config imports nothing outside config). It returns the normalised cidrBlock,
 * or the failure with the Subnet field it concerns.
 */
export type CompileSubnet = (spec: { name: string; cidrBlock: string; gateway: string; excludeIps: readonly string[] }) =>
  | { readonly ok: true; readonly cidrBlock: string }
  | { readonly ok: false; readonly reason: 'CIDRInvalid' | 'GatewayInvalid' | 'ExcludeIpsInvalid'; readonly message: string };

/** The four `--default-*` settings as resolved (flag, env or default). */
export interface DefaultSubnetInputs {
  readonly name: Resolved;
  readonly cidr: Resolved;
  readonly gateway: Resolved;
  readonly exclude: Resolved;
}

/**
 * `--default-ls/-cidr/-gateway/-exclude-ips`: syntax first (so the message names the exact
 * flag and its accepted form), then the same compile step a Subnet spec goes through
 * (`compile`; without it, syntax only). A default subnet the IPAM
 * would refuse (a /32, a gateway outside the CIDR, a reversed range, a zone-scoped IPv6
 * address) would otherwise be created and then fail `Validated` forever, leaving every pod
 * of the cluster without an address: it is bad configuration, exit 2.
 */
export function defaultSubnet(input: DefaultSubnetInputs, compile: CompileSubnet | undefined): DefaultSubnetConfig {
  const { name, cidr, gateway, exclude } = input;
  for (const r of [cidr, gateway, exclude]) {
    if (r.raw.includes('%')) {
      throw new ConfigError(`${r.name}: zone-scoped IPv6 addresses (\`%<zone>\`) are not subnet addresses, got ${show(r.raw)}`);
    }
  }
  const cidrs = parseCidrs(cidr.raw, cidr.name);
  const config: DefaultSubnetConfig = {
    name: parseObjectName(name.raw, name.name),
    cidr: cidrs.cidr,
    gateway: parseGateways(gateway.raw, gateway.name, cidrs.families, cidr.name),
    excludeIps: parseExcludeIps(exclude.raw, exclude.name),
  };
  if (compile === undefined) return config;
  const compiled = compile({ name: config.name, cidrBlock: config.cidr, gateway: config.gateway, excludeIps: config.excludeIps });
  if (!compiled.ok) throw specError(compiled, input);
  // The masked form (`10.16.0.5/16` → `10.16.0.0/16`), as the Subnet controller would write it.
  return { ...config, cidr: compiled.cidrBlock };
}

function specError(error: Extract<ReturnType<CompileSubnet>, { ok: false }>, input: DefaultSubnetInputs): ConfigError {
  const setting = error.reason === 'CIDRInvalid' ? input.cidr : error.reason === 'GatewayInvalid' ? input.gateway : input.exclude;
  // The IPAM names the Subnet field (`gateway: ...`); the person here gave a flag or variable.
  const reason = error.message.replace(/^(cidrBlock|gateway|excludeIps): /, '');
  return new ConfigError(`${setting.name}: ${reason} (given ${show(setting.raw)})`);
}
