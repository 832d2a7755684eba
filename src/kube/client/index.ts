export { createBackoff, DEFAULT_RETRY, REFLECTOR_BACKOFF, retryOnConflict } from './backoff.js';
export type { Backoff, BackoffOptions, RetryOnConflictOptions } from './backoff.js';
export { createKubeClient, requestDeadline } from './client.js';
export type { DeleteOptions, KubeClient, KubeClientOptions, ListOptions, ObjectOptions, PatchOptions, WatchOptions } from './client.js';
export {
  ApiError,
  apiErrorFromResponse,
  apiErrorFromStatus,
  isAlreadyExists,
  isConflict,
  isNotFound,
  isResourceExpired,
  isTooManyRequests,
  parseRetryAfter,
} from './errors.js';
export type { StatusReason } from './errors.js';
export { buildEvent, EVENT_COMPONENT, involvedObjectOf } from './events.js';
export type { EventInput, InvolvedObject } from './events.js';
// The reflector and the elector sleep on the client's clock; re-exported so kube/* need not reach past kube/client.
export { sleep, sleepUnlessAborted } from '../../clock/index.js';
export { DEFAULT_RETRY_POLICY } from './request.js';
export type { RestInstruments, RetryPolicy } from './request.js';
export { API_USAGE, apiVersionOf, policyRules, resourcePath, RESOURCES } from './resources.js';
export type { ApiUsage, PolicyRule, RbacVerb, Resource, ResourceName } from './resources.js';
export { decodeListBody } from './list-body.js';
export { projectObject } from './projection.js';
export type { FieldShape } from './projection.js';
export type { DecodedList, ListMeta } from './list-body.js';
export { PageBuffer } from './page-buffer.js';
export { listPages } from './paging.js';
export type { PagedListOptions } from './paging.js';
export { createTransport, readText } from './transport.js';
export type { HttpRequest, HttpResponse, Transport } from './transport.js';
export type { KubeList, KubeObject, ObjectMeta, StatusBody, WatchEvent, WatchEventType } from './types.js';
export { decodeWatch, parseWatchLine, WatchInactivityError } from './watch.js';
export type { WatchStream } from './watch.js';
