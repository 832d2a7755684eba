/**
 * OVN northbound for the controllers (DESIGN.md §10). Wiring, in main: `createNbClient(config.ovn,
 * logger, instruments.ovsClientRequestLatency)` (undefined = northbound off), `client.start()`,
 * `createNbNetwork({ client, router, nodeSwitch, nodeSwitchGateways, logger, instruments, timeoutMs })`,
 * register `network.readiness` as readyz check `ovn-nb`; `client.close()` on shutdown.
 * Order: ensureRouter → ensureSubnet(node switch) → ensureSubnet(each Subnet) → ensureNode(each
 * Node, after its join address is reserved) → per pod: reserve → ensurePodPort (with `node` when
 * scheduled: the port and its `<subnet>.<node>` membership in one transaction) → IP object → one
 * patch of the annotations, with `routed: "true"` when scheduled; a pod scheduled later:
 * setPortGroups → `routed: "true"`. Delete: deletePodPort → IP object →
 * release. Every call is idempotent and returns a value (never rejects); concurrent calls batch.
 */
export { createOvsdbClient } from './client.js';
export type { ClientStatus, LatencyRecorder, OvsdbClient, OvsdbClientOptions } from './client.js';
export { allRows, rowByUuid, rowsNamed } from './cache.js';
export type { DbCache, Row } from './cache.js';
export type { Condition, Mutation, Operation, OpResult, TransactOutcome } from './protocol.js';
export { NamedUuid, Uuid } from './values.js';
export type { Atom, Value } from './values.js';
export { createNbNetwork } from './nb-network.js';
export type { Desired, NbNetwork, NbNetworkOptions, NbReadiness } from './nb-network.js';
export type { NbResult } from './nb-batcher.js';
export type { Drift } from './nb-drift.js';
export type { Orphan, Owners } from './nb-gc.js';
export type { NodeSpec, PodPortSpec, SubnetSpec } from './nb-model.js';
export { NB_TABLES, nodePortGroupName, nodePortName, podPortName, routerPortName, subnetNodePortGroupName, switchRouterPortName, VENDOR } from './nb-names.js';
export { createNbClient } from './nb-client.js';
