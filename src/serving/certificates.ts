// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect
// metadata API loaded first (ESM evaluates imports in order).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';

/** A certificate and its key, PEM, as `tls.createSecureContext` takes them. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/** Kube-OVN's self-signed serving certificate lives one year. */
const SELF_SIGNED_VALIDITY_MS = 365 * 24 * 3600 * 1000;
// Backdated, so a client whose clock is a little behind still accepts a fresh certificate.
const BACKDATE_MS = 5 * 60 * 1000;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/**
 * A self-signed ECDSA P-256 serving certificate for `names` (DNS names and IP literals as SANs;
 * the first name is the subject CN), valid from `now` (backdated 5 min) for `validityMs`.
 * The key never leaves memory.
 */
export async function createSelfSigned(names: readonly string[], now: number, validityMs = SELF_SIGNED_VALIDITY_MS): Promise<KeyPair> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await X509CertificateGenerator.createSelfSigned(
    {
      name: `CN=${escapeDn(names[0] ?? 'localhost')}`,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + validityMs),
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment, true),
        new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
        new SubjectAlternativeNameExtension(names.map((n) => ({ type: isIP(n) === 0 ? 'dns' : 'ip', value: n }))),
      ],
    },
    webcrypto as unknown as Parameters<typeof X509CertificateGenerator.createSelfSigned>[1],
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: cert.toString('pem'), key: toPem(Buffer.from(pkcs8), 'PRIVATE KEY') };
}

function toPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function escapeDn(value: string): string {
  return value.replace(/([,+="\\<>;#])/g, '\\$1');
}
