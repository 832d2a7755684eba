import { isIP } from 'node:net';
import { formatDuration, MAX_TIMER_MS, parseGoDuration } from './durations.js';
import { ConfigError, expected, show } from './errors.js';
import { parseCidrs, parseGateways } from './network.js';
import type { Resolver } from './sources.js';
import { parseObjectName } from './values.js';

/** One northbound endpoint of `--ovn-nb-addr`. */
export type OvsdbEndpoint =
  | { readonly kind: 'tcp' | 'ssl'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

/** PEM files for `ssl:` endpoints (read when connecting, not while parsing). */
export interface OvsdbTlsFiles {
  readonly keyFile: string;
  readonly certFile: string;
  readonly caFile: string;
}

export interface OvnConfig {
  /** `--ovn-nb-addr`; `off` when unset: addresses are still allocated, nothing is programmed and no pod is routed. */
  readonly nb: { readonly kind: 'off' } | { readonly kind: 'on'; readonly endpoints: readonly OvsdbEndpoint[]; readonly tls?: OvsdbTlsFiles };
  /** `--ovn-timeout`: bound on every northbound call, ms. Default 60000. */
  readonly timeoutMs: number;
  /** `--ovsdb-con-timeout`: bound on one connect, ms. Default 3000. */
  readonly connectTimeoutMs: number;
  /** `--ovsdb-inactivity-timeout`: echo probe interval, ms; 0 = no probes. Default 10000. */
  readonly inactivityTimeoutMs: number;
  /** `--cluster-router`; default `ovn-cluster`. */
  readonly clusterRouter: string;
  /** `--node-switch`; default `join`. */
  readonly nodeSwitch: string;
  /** `--node-switch-cidr`, `v4,v6` order; default `100.64.0.0/16`. */
  readonly nodeSwitchCidr: string;
  /** `--node-switch-gateway`; empty = first address of each CIDR. */
  readonly nodeSwitchGateway: string;
  /** `--gc-interval`, ms; 0 = off. Default 360000. */
  readonly gcIntervalMs: number;
  /** `--inspect-interval`, ms; 0 = off. Default 20000. */
  readonly inspectIntervalMs: number;
  /** `--pod-nic-type`; default `veth-pair`. */
  readonly podNicType: 'veth-pair' | 'internal-port';
}

const ADDR_ACCEPTED = 'a comma list of `tcp:IP:PORT`, `ssl:IP:PORT` or `unix:PATH` (IPv6 as `tcp:[::1]:6641`)';

function parseEndpoint(item: string, raw: string, setting: string): OvsdbEndpoint {
  const colon = item.indexOf(':');
  const kind = item.slice(0, colon);
  const rest = item.slice(colon + 1);
  if (kind === 'unix' && rest !== '') return { kind, path: rest };
  if (kind !== 'tcp' && kind !== 'ssl') throw new ConfigError(`${setting}: expected ${ADDR_ACCEPTED}, got ${show(item)} in ${show(raw)}`);
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(rest);
  const host = m?.[1] ?? m?.[2] ?? '';
  const port = Number(m?.[3] ?? 0);
  const family = isIP(host);
  if (m === null || family === 0 || (family === 6 && m[1] === undefined) || port < 1 || port > 65_535) {
    throw new ConfigError(`${setting}: expected ${ADDR_ACCEPTED}, got ${show(item)} in ${show(raw)}`);
  }
  return { kind, host, port };
}

/** `--ovn-nb-addr`: empty means off; otherwise every item must be an endpoint. */
export function parseNbAddr(raw: string, setting: string): readonly OvsdbEndpoint[] {
  if (raw.trim() === '') return [];
  return raw.split(',').map((s) => s.trim()).map((item) => parseEndpoint(item, raw, setting));
}

/**
 * Kube-OVN takes `--ovn-timeout=60` and `--gc-interval=360` as integer seconds; a Go duration is
 * accepted too. Returns ms, in `[min, MAX_TIMER_MS]` (`allowZero` for intervals that 0 turns off).
 */
export function parseSecondsOrDuration(raw: string, setting: string, allowZero: boolean): number {
  const text = raw.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseGoDuration(text, setting);
  if (ms < 0 || (ms === 0 && !allowZero) || ms > MAX_TIMER_MS) {
    const low = allowZero ? '0 (off) or more' : 'more than 0';
    throw new ConfigError(`${setting}: expected integer seconds or a Go duration, ${low} and at most ${formatDuration(MAX_TIMER_MS)}, got ${show(raw)}`);
  }
  return ms;
}

type TimeKey = 'ovnTimeout' | 'ovsdbConTimeout' | 'ovsdbInactivityTimeout' | 'gcInterval' | 'inspectInterval';

function time(resolve: Resolver, key: TimeKey, allowZero: boolean): number {
  const r = resolve(key);
  return parseSecondsOrDuration(r.raw, r.name, allowZero);
}

function nbConfig(resolve: Resolver): OvnConfig['nb'] {
  const addr = resolve('ovnNbAddr');
  const endpoints = parseNbAddr(addr.raw, addr.name);
  if (endpoints.length === 0) return { kind: 'off' };
  if (!endpoints.some((e) => e.kind === 'ssl')) return { kind: 'on', endpoints };
  const files = (['ovnNbSslKey', 'ovnNbSslCert', 'ovnNbSslCa'] as const).map((k) => {
    const r = resolve(k);
    if (r.raw.trim() === '') throw new ConfigError(`${r.name}: expected a PEM file path (${addr.name} has an ssl: endpoint), got ${show(r.raw)}`);
    return r.raw;
  });
  return { kind: 'on', endpoints, tls: { keyFile: files[0] ?? '', certFile: files[1] ?? '', caFile: files[2] ?? '' } };
}

/** The OVN part of `Config`, from the settings in `ovn-settings.ts`. Throws `ConfigError`. */
export function ovnConfig(resolve: Resolver): OvnConfig {
  const cidr = resolve('nodeSwitchCidr');
  const gateway = resolve('nodeSwitchGateway');
  const cidrs = parseCidrs(cidr.raw, cidr.name);
  const router = resolve('clusterRouter');
  const nodeSwitch = resolve('nodeSwitch');
  const nic = resolve('podNicType');
  if (nic.raw !== 'veth-pair' && nic.raw !== 'internal-port') throw expected(nic.name, '`veth-pair` or `internal-port`', nic.raw);
  return {
    nb: nbConfig(resolve),
    timeoutMs: time(resolve, 'ovnTimeout', false),
    connectTimeoutMs: time(resolve, 'ovsdbConTimeout', false),
    inactivityTimeoutMs: time(resolve, 'ovsdbInactivityTimeout', true),
    clusterRouter: parseObjectName(router.raw, router.name),
    nodeSwitch: parseObjectName(nodeSwitch.raw, nodeSwitch.name),
    nodeSwitchCidr: cidrs.cidr,
    nodeSwitchGateway: parseGateways(gateway.raw, gateway.name, cidrs.families, cidr.name),
    gcIntervalMs: time(resolve, 'gcInterval', true),
    inspectIntervalMs: time(resolve, 'inspectInterval', true),
    podNicType: nic.raw,
  };
}
