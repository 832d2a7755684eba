import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The audience and issuer kube-apiserver uses for its own tokens by default (`--api-audiences`). */
export const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

/** What a token says about the ServiceAccount it was minted for (claims as kube-apiserver's JWTs carry them). */
export interface ServiceAccountClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: readonly string[];
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly 'kubernetes.io': { readonly namespace: string; readonly serviceaccount: { readonly name: string; readonly uid: string } };
}

export type VerifyResult = { ok: true; claims: ServiceAccountClaims } | { ok: false; error: string };

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * Mints and checks ServiceAccount tokens: JWTs signed with HS256 and a key random per server
 * (kube-apiserver signs RS256 with --service-account-signing-key-file; nobody here verifies
 * signatures offline, only through TokenReview, so the algorithm is not observable).
 */
export class TokenIssuer {
  private readonly key: Buffer;

  constructor(private readonly now: () => Date, key: Buffer = randomBytes(32)) {
    this.key = key;
  }

  private sign(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }

  /** A token for `namespace/name` (uid `uid`) valid for `seconds` from now. */
  mint(sa: { namespace: string; name: string; uid: string }, audiences: readonly string[], seconds: number): { token: string; expires: Date } {
    const iat = Math.floor(this.now().getTime() / 1000);
    const claims: ServiceAccountClaims = {
      iss: API_AUDIENCE,
      sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
      aud: audiences.length > 0 ? [...audiences] : [API_AUDIENCE],
      iat,
      nbf: iat,
      exp: iat + seconds,
      'kubernetes.io': { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } },
    };
    const body = `${b64({ alg: 'HS256', typ: 'JWT', kid: 'local-apiserver' })}.${b64(claims)}`;
    return { token: `${body}.${this.sign(body)}`, expires: new Date(claims.exp * 1000) };
  }

  /** Whether `token` looks like one of ours (three base64url parts); other bearer tokens are not judged here. */
  static looksLikeJwt(token: string): boolean {
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
  }

  /** Checks signature and time; the caller checks the ServiceAccount still exists with the same uid. */
  verify(token: string): VerifyResult {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, error: 'invalid bearer token, token is not a JWT' };
    const [header = '', payload = '', signature = ''] = parts;
    const want = Buffer.from(this.sign(`${header}.${payload}`));
    const got = Buffer.from(signature);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, error: 'invalid bearer token, square/go-jose: error in cryptographic primitive' };
    let claims: ServiceAccountClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as ServiceAccountClaims;
    } catch {
      return { ok: false, error: 'invalid bearer token, token payload is not JSON' };
    }
    const now = Math.floor(this.now().getTime() / 1000);
    if (now >= claims.exp) return { ok: false, error: 'invalid bearer token, service account token has expired' };
    if (now < claims.nbf) return { ok: false, error: 'invalid bearer token, service account token is not valid yet' };
    return { ok: true, claims };
  }
}
