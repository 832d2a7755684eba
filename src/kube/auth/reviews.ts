import { RESOURCES } from '../client/index.js';
import type { KubeClient, KubeObject } from '../client/index.js';

/** `authentication.k8s.io/v1` UserInfo. */
export interface ReviewedUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

interface TokenReview extends KubeObject {
  status?: { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> }; error?: string };
}

interface SubjectAccessReview extends KubeObject {
  status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

/** The delegated authentication and authorization calls of secure metrics serving (what `src/serving` calls an `AccessReviewer`). */
export interface AuthReviewer {
  reviewToken(token: string, signal: AbortSignal): Promise<{ authenticated: true; user: ReviewedUser } | { authenticated: false }>;
  reviewAccess(user: ReviewedUser, attributes: { path: string; verb: string }, signal: AbortSignal): Promise<{ allowed: boolean; reason: string }>;
}

/**
 * TokenReview and SubjectAccessReview through the controller's client (so they are counted in
 * `rest_client_*` and retried only on 429). Needs `create` on `tokenreviews` and `subjectaccessreviews`.
 */
export function createAuthReviewer(client: KubeClient): AuthReviewer {
  return {
    async reviewToken(token, signal) {
      const review = await client.create<TokenReview>(RESOURCES.tokenreviews, { metadata: {}, spec: { token } }, { signal });
      const status = review.status;
      const user = status?.user;
      if (status?.authenticated !== true || user?.username === undefined || user.username === '') return { authenticated: false };
      return {
        authenticated: true,
        user: { username: user.username, ...(user.uid ? { uid: user.uid } : {}), ...(user.groups ? { groups: user.groups } : {}), ...(user.extra ? { extra: user.extra } : {}) },
      };
    },
    async reviewAccess(user, attributes, signal) {
      const spec = {
        user: user.username,
        ...(user.uid === undefined ? {} : { uid: user.uid }),
        ...(user.groups === undefined ? {} : { groups: user.groups }),
        ...(user.extra === undefined ? {} : { extra: user.extra }),
        nonResourceAttributes: { path: attributes.path, verb: attributes.verb },
      };
      const review = await client.create<SubjectAccessReview>(RESOURCES.subjectaccessreviews, { metadata: {}, spec }, { signal });
      const status = review.status;
      // An evaluation error with allowed=false is a denial, as kube-apiserver's webhook authorizer reads it.
      return { allowed: status?.allowed === true && status.denied !== true, reason: status?.reason ?? status?.evaluationError ?? '' };
    },
  };
}
