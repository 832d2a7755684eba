export { byNamespace, INDEX, ipsBySubnet, podsByNode, SUBNET_LABEL } from './indexers.js';
export { createInformer } from './informer.js';
export type { EventHandlers, Informer, InformerOptions } from './informer.js';
export { runReflector } from './reflector.js';
export type { ReflectorOptions, ReflectorSink } from './reflector.js';
export { applyWatchEvent, byIndex, createStore, getByKey, indexValues, listAll, objectKey, replaceAll } from './store.js';
export type { Delta, Indexers, StoreState } from './store.js';
export { createInformerSyncCheck } from './sync-check.js';
export type { InformerSyncCheck } from './sync-check.js';
