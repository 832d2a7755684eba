export {
  API_USAGE,
  ApiError,
  apiVersionOf,
  buildEvent,
  createKubeClient,
  EVENT_COMPONENT,
  involvedObjectOf,
  isAlreadyExists,
  isConflict,
  isNotFound,
  isResourceExpired,
  isTooManyRequests,
  listPages,
  policyRules,
  resourcePath,
  RESOURCES,
  retryOnConflict,
  WatchInactivityError,
} from './client/index.js';
export type {
  ApiUsage,
  EventInput,
  FieldShape,
  InvolvedObject,
  KubeClient,
  KubeClientOptions,
  KubeList,
  KubeObject,
  ListOptions,
  ObjectMeta,
  PolicyRule,
  RbacVerb,
  Resource,
  StatusReason,
  WatchEvent,
  PatchOptions,
  WatchOptions,
  WatchStream,
} from './client/index.js';
export { byNamespace, createInformer, createInformerSyncCheck, INDEX, ipsBySubnet, objectKey, podsByNode, SUBNET_LABEL } from './informer/index.js';
export type { Delta, EventHandlers, Indexers, Informer, InformerOptions, InformerSyncCheck } from './informer/index.js';
export { createLeaderElector, formatMicroTime, LIVENESS_TOLERANCE_MS } from './leader/index.js';
export type { LeaderCallbacks, LeaderElector, LeaderElectorOptions, LeaderOutcome, LeaderStopReason, LeaseSpec } from './leader/index.js';
export { createWorkqueue } from './workqueue/index.js';
export type { Workqueue, WorkqueueOptions } from './workqueue/index.js';
export { createController } from './controller/index.js';
export type { Controller, ControllerOptions, Reconcile, Slot } from './controller/index.js';
export { HELD_SLOT } from './controller/index.js';
export { labelValueProblem, MAX_LABEL_VALUE, MAX_OBJECT_NAME, objectNameProblem } from './names.js';
