/**
 * Closed sets for label values that come from objects users write (DESIGN §7a): a pod
 * annotation must never become a series. Issue 10 case 3: three pods with 1.5 KB junk
 * `logical_switch` values put those strings into every scrape, and repeated values grew every
 * reader's memory and collection time without bound.
 */

/** `subnet_name` of anything that is not a Subnet the controller serves. */
export const UNKNOWN_SUBNET = 'unknown';

/**
 * Attribute sets kept per instrument before the SDK folds the rest into one overflow series.
 * The largest legitimate set is `ipam_allocations_total`/`ipam_releases_total`: served
 * subnets x 2 results (+ `unknown`); 1000 covers ~500 subnets, several times what Kube-OVN
 * clusters run, and keeps a scrape of the worst case small. (The SDK's own default is 2000.)
 */
export const METRIC_CARDINALITY_LIMIT = 1000;

/** Kubernetes object names are at most 253 characters; a Subnet name is one. */
const MAX_OBJECT_NAME = 253;

/**
 * The `subnet_name` label for `name`: the name itself when it is a Subnet the controller
 * serves right now (`isServed`, e.g. the IPAM knows it), else `unknown`. Never returns text
 * that did not pass `isServed`, so the label set is the served subnets plus one value.
 */
export function subnetLabel(name: string | undefined, isServed: (name: string) => boolean): string {
  if (name === undefined || name === '' || name.length > MAX_OBJECT_NAME) return UNKNOWN_SUBNET;
  return isServed(name) ? name : UNKNOWN_SUBNET;
}
