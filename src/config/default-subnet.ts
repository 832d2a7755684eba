import { compileSubnetSpec } from '../ipam/index.js';
import type { SubnetSpecError } from '../ipam/index.js';
import type { DefaultSubnetConfig } from './types.js';
import { ConfigError, show } from './errors.js';
import { parseCidrs, parseExcludeIps, parseGateways } from './network.js';
import type { Resolved } from './sources.js';
import { parseObjectName } from './values.js';

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
 * (`src/ipam` is pure and imports nothing, so config may use it). A default subnet the IPAM
 * would refuse (a /32, a gateway outside the CIDR, a reversed range, a zone-scoped IPv6
 * address) would otherwise be created and then fail `Validated` forever, leaving every pod
 * of the cluster without an address: it is bad configuration, exit 2.
 */
export function defaultSubnet(input: DefaultSubnetInputs): DefaultSubnetConfig {
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
  const compiled = compileSubnetSpec({ name: config.name, cidrBlock: config.cidr, gateway: config.gateway, excludeIps: config.excludeIps });
  if (!compiled.ok) throw specError(compiled, input);
  // The masked form (`10.16.0.5/16` → `10.16.0.0/16`), as the Subnet controller would write it.
  return { ...config, cidr: compiled.subnet.cidrBlock };
}

function specError(error: SubnetSpecError, input: DefaultSubnetInputs): ConfigError {
  const setting = error.reason === 'CIDRInvalid' ? input.cidr : error.reason === 'GatewayInvalid' ? input.gateway : input.exclude;
  // The IPAM names the Subnet field (`gateway: ...`); the person here gave a flag or variable.
  const reason = error.message.replace(/^(cidrBlock|gateway|excludeIps): /, '');
  return new ConfigError(`${setting.name}: ${reason} (given ${show(setting.raw)})`);
}
