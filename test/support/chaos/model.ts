// The chaos test's vocabulary (issue 10): plain-data commands, so fast-check can shrink a
// failing sequence and a person can replay it from its JSON.
import fc from 'fast-check';

/** Namespaces the test creates; `cc` is bound to no subnet (its pods go to the default subnet). */
export const NAMESPACES = ['ca', 'cb', 'cc'] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** Subnets the test may create, delete, force-delete and re-create (the default subnet is never touched). */
export const SUBNETS = {
  'chaos-a': { cidrBlock: '10.90.0.0/24', namespaces: ['ca'] },
  'chaos-b': { cidrBlock: '10.91.0.0/24,fd00:91::/120', namespaces: ['cb'] },
} as const satisfies Record<string, { cidrBlock: string; namespaces: readonly Namespace[] }>;
export type SubnetName = keyof typeof SUBNETS;
export const SUBNET_NAMES = Object.keys(SUBNETS) as SubnetName[];
export const DEFAULT_SUBNET = 'ovn-default';

/** 1.5 KB of junk, as in issue 10 case 3. */
export const JUNK = `junk-${'x'.repeat(1531)}`;

/** Annotation edits a user can make on an allocated pod (DESIGN §7a: all are written back). */
export type Edit =
  | { readonly field: 'ip'; readonly value: 'other-pod' | 'free-looking' | 'junk' }
  | { readonly field: 'mac'; readonly value: 'fixed' | 'junk' }
  | { readonly field: 'ls'; readonly value: 'nonexistent' | 'junk' | 'other-subnet' }
  | { readonly field: 'cidr' | 'gateway'; readonly value: 'junk' };

export type Command =
  /** `static` asks for an address in the namespace's subnet by annotation (may conflict: then the pod waits). */
  | { readonly kind: 'createPod'; readonly ns: Namespace; readonly restartPolicy: 'Always' | 'Never'; readonly static?: number }
  | { readonly kind: 'deletePod'; readonly pod: number }
  | { readonly kind: 'finishPod'; readonly pod: number; readonly phase: 'Succeeded' | 'Failed' }
  | { readonly kind: 'editAnnotation'; readonly pod: number; readonly edit: Edit }
  | { readonly kind: 'createSubnet'; readonly subnet: SubnetName }
  | { readonly kind: 'deleteSubnet'; readonly subnet: SubnetName }
  /** Delete, then remove every finalizer: what an operator does when a delete hangs. */
  | { readonly kind: 'forceDeleteSubnet'; readonly subnet: SubnetName }
  | { readonly kind: 'bindNamespaces'; readonly subnet: SubnetName; readonly namespaces: readonly Namespace[] }
  | { readonly kind: 'killLeader' }
  | { readonly kind: 'fault'; readonly fault: '5xx' | 'dropWatches' | 'expireHistory'; readonly count?: number };

/** A step: a few commands issued back to back, then a quiescent point where the invariants are checked. */
export type Step = readonly Command[];

const ns = fc.constantFrom(...NAMESPACES);
const subnet = fc.constantFrom(...SUBNET_NAMES);
const podRef = fc.nat({ max: 63 });

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ field: fc.constant('ip' as const), value: fc.constantFrom('other-pod' as const, 'free-looking' as const, 'junk' as const) }),
  fc.record({ field: fc.constant('mac' as const), value: fc.constantFrom('fixed' as const, 'junk' as const) }),
  fc.record({ field: fc.constant('ls' as const), value: fc.constantFrom('nonexistent' as const, 'junk' as const, 'other-subnet' as const) }),
  fc.record({ field: fc.constantFrom('cidr' as const, 'gateway' as const), value: fc.constant('junk' as const) }),
);

export const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('createPod' as const), ns, restartPolicy: fc.constantFrom('Always' as const, 'Never' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('createPod' as const), ns, restartPolicy: fc.constant('Never' as const), static: fc.integer({ min: 2, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deletePod' as const), pod: podRef }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('finishPod' as const), pod: podRef, phase: fc.constantFrom('Succeeded' as const, 'Failed' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('editAnnotation' as const), pod: podRef, edit }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('createSubnet' as const), subnet }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteSubnet' as const), subnet }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forceDeleteSubnet' as const), subnet }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bindNamespaces' as const), subnet, namespaces: fc.subarray([...NAMESPACES]) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('killLeader' as const) }) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({ kind: fc.constant('fault' as const), fault: fc.constant('5xx' as const), count: fc.integer({ min: 1, max: 15 }) }),
      fc.record({ kind: fc.constant('fault' as const), fault: fc.constantFrom('dropWatches' as const, 'expireHistory' as const) }),
    ),
  },
);

/** Sequences of steps; each step ends at a quiescent point. */
export function sequenceArbitrary(maxSteps: number, maxPerStep = 4): fc.Arbitrary<Step[]> {
  // Every sequence opens with one pod in the default subnet, alone in its step: the first quiescent
  // point then has a live allocation, so the address invariants are checked whatever the seed (a
  // seed of only subnet and fault commands once left them unevaluated).
  return fc.array(fc.array(commandArbitrary, { minLength: 1, maxLength: maxPerStep }), { minLength: 1, maxLength: maxSteps }).map((steps) => [[FIRST_POD], ...steps]);
}

const FIRST_POD: Command = Object.freeze({ kind: 'createPod', ns: NAMESPACES[0], restartPolicy: 'Always' });

/** One line per command, for a person reading a failure. */
export function describeCommand(c: Command): string {
  switch (c.kind) {
    case 'createPod':
      return `create pod in ${c.ns} (restartPolicy ${c.restartPolicy}${c.static === undefined ? '' : `, static .${c.static}`})`;
    case 'deletePod':
      return `delete pod #${c.pod}`;
    case 'finishPod':
      return `pod #${c.pod} ${c.phase}`;
    case 'editAnnotation':
      return `annotate pod #${c.pod} ${c.edit.field}=<${c.edit.value}>`;
    case 'createSubnet':
      return `create subnet ${c.subnet}`;
    case 'deleteSubnet':
      return `delete subnet ${c.subnet}`;
    case 'forceDeleteSubnet':
      return `force-delete subnet ${c.subnet} (delete, remove finalizers)`;
    case 'bindNamespaces':
      return `bind subnet ${c.subnet} to [${c.namespaces.join(',')}]`;
    case 'killLeader':
      return 'kill -9 the leader';
    case 'fault':
      return c.fault === '5xx' ? `fail the next ${c.count ?? 1} API requests with 500` : c.fault;
  }
}
