import type { StatusBody } from './types.js';

/**
 * Reasons a Status carries (apimachinery `metav1.StatusReason`); `Unknown` when neither the
 * body nor the code says more.
 */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Unknown'
  | (string & {});

/** The reason kube-apiserver would pick for a bare status code (apimachinery `NewGenericServerResponse`). */
const REASON_BY_CODE: Readonly<Record<number, StatusReason>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** An HTTP error answer from the API server (or an in-band watch `ERROR`), parsed from its Status body. */
export class ApiError extends Error {
  /** HTTP status code (e.g. 409). */
  readonly code: number;
  /** Status reason, e.g. `Conflict` vs `AlreadyExists` (both 409). */
  readonly reason: StatusReason;
  /** The parsed Status body, when the body was one. */
  readonly status: StatusBody | undefined;
  /** Seconds from a `Retry-After` header or `details.retryAfterSeconds`; undefined when absent. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: number, reason: StatusReason, message: string, status?: StatusBody, retryAfterSeconds?: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Builds an ApiError from a response: the Status body wins; otherwise the code names the reason. */
export function apiErrorFromResponse(code: number, bodyText: string, retryAfterHeader?: string, what = ''): ApiError {
  const status = parseStatus(bodyText);
  const reason = status?.reason !== undefined && status.reason !== '' ? status.reason : (REASON_BY_CODE[code] ?? 'Unknown');
  const message = status?.message ?? (bodyText.trim().slice(0, 200) || `HTTP ${code}`);
  const retryAfter = parseRetryAfter(retryAfterHeader) ?? status?.details?.retryAfterSeconds;
  return new ApiError(code, reason, what === '' ? message : `${what}: ${message}`, status, retryAfter);
}

/** Builds an ApiError from an in-band watch `ERROR` event's Status object. */
export function apiErrorFromStatus(status: StatusBody): ApiError {
  const code = typeof status.code === 'number' ? status.code : 500;
  const reason = status.reason !== undefined && status.reason !== '' ? status.reason : (REASON_BY_CODE[code] ?? 'Unknown');
  return new ApiError(code, reason, status.message ?? `watch error ${code}`, status);
}

function parseStatus(text: string): StatusBody | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status') return value as StatusBody;
  } catch {
    // A proxy or load balancer in front of the API server may answer with HTML or plain text.
  }
  return undefined;
}

/** `Retry-After` in seconds (integer form only, as kube-apiserver sends it); undefined when absent or malformed. */
export function parseRetryAfter(header: string | undefined): number | undefined {
  if (header === undefined || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header.trim());
}

function hasReason(err: unknown, reason: StatusReason): boolean {
  return err instanceof ApiError && err.reason === reason;
}

/** 409 with reason `Conflict`: a stale resourceVersion; re-read and retry. */
export function isConflict(err: unknown): boolean {
  return hasReason(err, 'Conflict');
}

export function isNotFound(err: unknown): boolean {
  return hasReason(err, 'NotFound');
}

/** 409 with reason `AlreadyExists`: create of a name that exists. */
export function isAlreadyExists(err: unknown): boolean {
  return hasReason(err, 'AlreadyExists');
}

/** The resourceVersion asked for is gone from history (410 `Expired` or `Gone`): relist. */
export function isResourceExpired(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 410 || err.reason === 'Expired' || err.reason === 'Gone');
}

export function isTooManyRequests(err: unknown): boolean {
  return err instanceof ApiError && err.code === 429;
}
