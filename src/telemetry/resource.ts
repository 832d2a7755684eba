import { randomUUID } from 'node:crypto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import type { PodIdentity } from '../config/types.js';

export interface ResourceOptions {
  readonly serviceName: string;
  readonly version: string;
  readonly pod: PodIdentity;
  /** Parsed `OTEL_RESOURCE_ATTRIBUTES`; they win over the Downward-API-derived attributes. */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  /** Seam for the random `service.instance.id` used when the pod identity is unknown. */
  readonly randomId?: () => string;
}

/**
 * The resource every metric carries. Built from plain values only: no resource detector
 * runs, so creating it does no I/O and cannot fail or stall.
 */
export function buildResource(options: ResourceOptions): Resource {
  const { pod } = options;
  const known = pod.namespace !== '' && pod.name !== '' && pod.containerName !== '';
  // Semantic conventions: service.instance.id = <k8s.namespace.name>.<k8s.pod.name>.<k8s.container.name>.
  const instanceId = known ? `${pod.namespace}.${pod.name}.${pod.containerName}` : (options.randomId ?? randomUUID)();
  const attributes: Record<string, string> = {
    'service.name': options.serviceName,
    'service.version': options.version,
    'service.instance.id': instanceId,
  };
  const k8s: Array<[string, string]> = [
    ['k8s.pod.name', pod.name],
    ['k8s.namespace.name', pod.namespace],
    ['k8s.node.name', pod.nodeName],
    ['k8s.container.name', pod.containerName],
  ];
  for (const [key, value] of k8s) if (value !== '') attributes[key] = value;
  // service.name was already resolved by config (OTEL_SERVICE_NAME over OTEL_RESOURCE_ATTRIBUTES).
  const { 'service.name': _ignored, ...explicit } = options.resourceAttributes;
  return resourceFromAttributes({ ...attributes, ...explicit });
}
