import { isIP } from 'node:net';
import { getCiphers } from 'node:tls';
import { ConfigError, expected, show } from './errors.js';
import type { SettingSpec } from './settings.js';
import type { Resolved, Resolver } from './sources.js';
import { parseBool } from './values.js';

/** TLS protocol floor as Node's `minVersion` takes it. */
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** How the Prometheus endpoint is served when `--secure-serving` is on (DESIGN.md §11). */
export interface SecureServingConfig {
  /** `--tls-cert-file`: PEM certificate (chain); empty together with `keyFile` means a self-signed certificate in memory. */
  readonly certFile: string;
  /** `--tls-private-key-file`: PEM private key of `certFile`. */
  readonly keyFile: string;
  /** `--tls-min-version`; default `TLSv1.2` (`VersionTLS12`). */
  readonly minVersion: TlsVersion;
  /** `--tls-cipher-suites` as an OpenSSL cipher list (`:`-separated); empty means Node's defaults. */
  readonly ciphers: string;
  /** DNS names and IP addresses of the self-signed certificate: localhost, 127.0.0.1, ::1, the host name, POD_IPS. */
  readonly selfSignedNames: readonly string[];
}

const GROUP = 'metrics';

/** The settings of this file; spread into `SETTINGS`. Kube-OVN's flag names and spellings. */
export const SERVING_SETTINGS = {
  secureServing: { flag: '--secure-serving', env: 'SECURE_SERVING', boolean: true, default: 'false', value: '<bool>', unit: 'boolean', off: '`false`: plain HTTP, no authentication', group: GROUP, help: 'Serve /metrics over HTTPS and only to clients whose bearer token passes a TokenReview and a SubjectAccessReview (get on the non-resource URL /metrics), as controller-runtime\'s WithAuthenticationAndAuthorization. Needs create on tokenreviews and subjectaccessreviews. The health port stays plain HTTP.' },
  tlsCertFile: { flag: '--tls-cert-file', env: 'TLS_CERT_FILE', default: '', defaultText: 'none (a self-signed certificate, renewed before it expires)', value: '<path>', unit: 'PEM file', off: 'empty', group: GROUP, help: 'Serving certificate for --secure-serving; re-read when the file changes. Give it together with --tls-private-key-file.' },
  tlsPrivateKeyFile: { flag: '--tls-private-key-file', env: 'TLS_PRIVATE_KEY_FILE', default: '', defaultText: 'none', value: '<path>', unit: 'PEM file', off: 'empty', group: GROUP, help: 'Private key of --tls-cert-file; re-read when the file changes.' },
  tlsMinVersion: { flag: '--tls-min-version', env: 'TLS_MIN_VERSION', default: 'VersionTLS12', value: '<version>', unit: 'VersionTLS10, VersionTLS11, VersionTLS12 or VersionTLS13', off: 'cannot be turned off', group: GROUP, help: 'Lowest TLS version the metrics endpoint accepts (Kube-OVN\'s spelling). OpenSSL may still refuse TLS 1.0/1.1 at its default security level.' },
  tlsCipherSuites: { flag: '--tls-cipher-suites', env: 'TLS_CIPHER_SUITES', default: '', defaultText: 'Node.js defaults', value: '<list>', unit: 'comma list of Go/IANA names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', off: 'empty: defaults', group: GROUP, help: 'Cipher suites for TLS 1.2 and below (TLS 1.3 names are accepted and restrict TLS 1.3 too).' },
  podIps: { env: 'POD_IPS', default: '', defaultText: 'empty', value: '<ips>', unit: 'comma list of IP addresses (status.podIPs)', off: 'unset', group: 'downward', help: 'Addresses of this pod, added to the self-signed certificate.' },
} as const satisfies Record<string, SettingSpec>;

const VERSIONS: Readonly<Record<string, TlsVersion>> = {
  VersionTLS10: 'TLSv1',
  VersionTLS11: 'TLSv1.1',
  VersionTLS12: 'TLSv1.2',
  VersionTLS13: 'TLSv1.3',
};

/**
 * Go's `crypto/tls` suite names (which Kube-OVN's and Kubernetes' --tls-cipher-suites take)
 * to OpenSSL names. TLS 1.3 suites are named alike in both.
 */
const CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_RSA_WITH_RC4_128_SHA: 'RC4-SHA',
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 'ECDHE-ECDSA-RC4-SHA',
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: 'ECDHE-RSA-RC4-SHA',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  // Go's older aliases of the two above.
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_AES_128_GCM_SHA256: 'TLS_AES_128_GCM_SHA256',
  TLS_AES_256_GCM_SHA384: 'TLS_AES_256_GCM_SHA384',
  TLS_CHACHA20_POLY1305_SHA256: 'TLS_CHACHA20_POLY1305_SHA256',
};

/** `--tls-min-version`: Kube-OVN's `VersionTLS1x` spelling. */
export function parseTlsMinVersion(resolved: Resolved): TlsVersion {
  const version = VERSIONS[resolved.raw.trim()];
  if (version === undefined) throw expected(resolved.name, 'one of `VersionTLS10`, `VersionTLS11`, `VersionTLS12`, `VersionTLS13`', resolved.raw);
  return version;
}

/** `--tls-cipher-suites`: Go/IANA names to one OpenSSL list; a suite this Node.js cannot offer is refused by name. */
export function parseCipherSuites(resolved: Resolved, available: readonly string[] = getCiphers()): string {
  const names = resolved.raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const offered = new Set(available.map((c) => c.toLowerCase()));
  const out: string[] = [];
  for (const name of names) {
    const openssl = CIPHER_SUITES[name];
    if (openssl === undefined) throw expected(resolved.name, 'a comma list of Go/IANA cipher suite names like `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`', name);
    if (!offered.has(openssl.toLowerCase())) {
      throw new ConfigError(`${resolved.name}: ${show(name)} (OpenSSL ${openssl}) is not available in this Node.js/OpenSSL build`);
    }
    if (!out.includes(openssl)) out.push(openssl);
  }
  return out.join(':');
}

/** The self-signed certificate's names: localhost, both loopbacks, the host name, then POD_IPS (checked to be IPs). */
function selfSignedNames(hostname: string, podIps: Resolved): string[] {
  const ips = podIps.raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const ip of ips) if (isIP(ip) === 0) throw expected(podIps.name, 'a comma list of IP addresses', podIps.raw);
  const names = ['localhost', '127.0.0.1', '::1', hostname, ...ips].filter((n) => n !== '');
  return [...new Set(names)];
}

export interface ServingChoice {
  /** Present when `--secure-serving` is on. */
  readonly secure: SecureServingConfig | undefined;
  readonly warnings: readonly string[];
}

/**
 * The secure-serving settings, always validated (they are our flags, even when off). A cert
 * without a key (or the reverse) is an error; TLS settings without `--secure-serving`, or
 * secure serving without a Prometheus exporter, are accepted with a warning: nothing to secure.
 */
export function secureServing(resolve: Resolver, hostname: string, servesPrometheus: boolean): ServingChoice {
  const enabled = resolve('secureServing');
  const cert = resolve('tlsCertFile');
  const key = resolve('tlsPrivateKeyFile');
  const on = parseBool(enabled.raw, enabled.name);
  const certFile = cert.raw.trim();
  const keyFile = key.raw.trim();
  if ((certFile === '') !== (keyFile === '')) {
    const [given, missing] = certFile === '' ? [key, cert] : [cert, key];
    throw new ConfigError(`${given.name}: ${show(given.raw)} is given but ${missing.name} is not; give both, or neither for a self-signed certificate`);
  }
  const config: SecureServingConfig = {
    certFile,
    keyFile,
    minVersion: parseTlsMinVersion(resolve('tlsMinVersion')),
    ciphers: parseCipherSuites(resolve('tlsCipherSuites')),
    selfSignedNames: selfSignedNames(hostname, resolve('podIps')),
  };
  const warnings: string[] = [];
  const tlsGiven = (['tlsCertFile', 'tlsMinVersion', 'tlsCipherSuites'] as const).map(resolve).filter((r) => r.explicit);
  if (!on && tlsGiven.length > 0) warnings.push(`${tlsGiven.map((r) => r.name).join(', ')}: no effect without ${enabled.name}`);
  if (on && !servesPrometheus) warnings.push(`${enabled.name}: no effect, the exporter list has no \`prometheus\` (nothing is served)`);
  return { secure: on ? config : undefined, warnings };
}
