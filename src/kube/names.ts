/**
 * Kubernetes' own limits on names and label values (apimachinery `validation`), checked before a
 * write so that an object the API server must refuse becomes an Event naming the limit instead
 * of a 422 retried forever (issue 10: bad object input).
 */

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A name's limit: DNS-1123 subdomain, at most 253 characters. */
export const MAX_OBJECT_NAME = 253;
/** A label value's limit: at most 63 characters of `[A-Za-z0-9-_.]`, alphanumeric at both ends. */
export const MAX_LABEL_VALUE = 63;

/** Why `name` cannot name an object (e.g. an `IP` object `<pod>.<namespace>`), or undefined. */
export function objectNameProblem(name: string): string | undefined {
  if (name.length > MAX_OBJECT_NAME) return `name ${show(name)} is ${name.length} characters; the limit is ${MAX_OBJECT_NAME}`;
  if (!DNS1123_SUBDOMAIN.test(name)) return `name ${show(name)} is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')`;
  return undefined;
}

/** Why `value` cannot be a label value, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > MAX_LABEL_VALUE) return `label value ${show(value)} is ${value.length} characters; the limit is ${MAX_LABEL_VALUE}`;
  if (!LABEL_VALUE.test(value)) return `label value ${show(value)} must be letters, digits, '-', '_' or '.', alphanumeric at both ends`;
  return undefined;
}

function show(value: string): string {
  return value.length > 40 ? `\`${value.slice(0, 40)}…\`` : `\`${value}\``;
}
