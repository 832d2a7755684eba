// /openapi/v2 in gnostic's protobuf form (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`),
// the only form kubectl's OpenAPI v2 client reads (kubectl 1.27 validates `apply` with it).
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { stringify as toYaml } from 'yaml';
import { isObject } from './types.js';

const FILE = fileURLToPath(new URL('./openapiv2/openapiv2.proto', import.meta.url));
/** The response type kube-apiserver sends for it (the request's `@v1.0` is not a valid media type). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

type Obj = Record<string, unknown>;

function any(v: unknown): Obj {
  return { yaml: toYaml(v) };
}

function extensions(node: Obj): Obj[] {
  return Object.entries(node).filter(([k]) => k.startsWith('x-')).map(([name, v]) => ({ name, value: any(v) }));
}

function schema(node: unknown): Obj {
  if (!isObject(node)) return {};
  const out: Obj = {};
  if (typeof node['$ref'] === 'string') out['_ref'] = node['$ref'];
  for (const k of ['format', 'title', 'description', 'pattern', 'discriminator'] as const) if (typeof node[k] === 'string') out[k] = node[k];
  for (const [k, to] of [['minimum', 'minimum'], ['maximum', 'maximum'], ['maxLength', 'max_length'], ['minLength', 'min_length'], ['maxItems', 'max_items'], ['minItems', 'min_items']] as const) {
    if (typeof node[k] === 'number') out[to] = node[k];
  }
  if (node['uniqueItems'] === true) out['unique_items'] = true;
  if (typeof node['type'] === 'string') out['type'] = { value: [node['type']] };
  if (Array.isArray(node['required'])) out['required'] = node['required'];
  if (Array.isArray(node['enum'])) out['enum'] = node['enum'].map(any);
  if (node['default'] !== undefined) out['default'] = any(node['default']);
  if (isObject(node['items'])) out['items'] = { schema: [schema(node['items'])] };
  if (Array.isArray(node['allOf'])) out['all_of'] = node['allOf'].map(schema);
  if (isObject(node['properties'])) out['properties'] = { additional_properties: Object.entries(node['properties']).map(([name, v]) => ({ name, value: schema(v) })) };
  const extra = node['additionalProperties'];
  if (isObject(extra)) out['additional_properties'] = { schema: schema(extra) };
  else if (typeof extra === 'boolean') out['additional_properties'] = { boolean: extra };
  const ext = extensions(node);
  if (ext.length > 0) out['vendor_extension'] = ext;
  return out;
}

function parameter(p: Obj): Obj {
  if (p['in'] === 'body') return { parameter: { body_parameter: { name: p['name'], in: 'body', required: p['required'] === true, schema: schema(p['schema']) } } };
  const common = { name: p['name'], in: p['in'], description: p['description'] ?? '', type: p['type'] ?? 'string', unique_items: p['uniqueItems'] === true };
  const sub = p['in'] === 'path' ? { path_parameter_sub_schema: { ...common, required: true } } : { query_parameter_sub_schema: common };
  return { parameter: { non_body_parameter: sub } };
}

function operation(op: Obj): Obj {
  const responses = isObject(op['responses']) ? Object.entries(op['responses']).filter(([, r]) => isObject(r)) : [];
  return {
    operation_id: op['operationId'] ?? '',
    consumes: op['consumes'] ?? [],
    produces: op['produces'] ?? [],
    parameters: (Array.isArray(op['parameters']) ? op['parameters'].filter(isObject) : []).map(parameter),
    responses: {
      response_code: responses.map(([name, r]) => ({ name, value: { response: { description: (r as Obj)['description'] ?? '', ...(isObject((r as Obj)['schema']) ? { schema: { schema: schema((r as Obj)['schema']) } } : {}) } } })),
    },
    vendor_extension: extensions(op),
  };
}

function pathItem(item: Obj): Obj {
  const out: Obj = {};
  for (const verb of ['get', 'put', 'post', 'delete', 'patch'] as const) if (isObject(item[verb])) out[verb] = operation(item[verb]);
  if (Array.isArray(item['parameters'])) out['parameters'] = item['parameters'].filter(isObject).map(parameter);
  return out;
}

/** Encodes a Swagger 2.0 JSON document (as OpenApi.v2 builds it) to gnostic protobuf. */
export class OpenApiV2Encoder {
  private readonly document: protobuf.Type;

  constructor() {
    this.document = new protobuf.Root().loadSync(FILE, { keepCase: true }).lookupType('openapi.v2.Document');
  }

  encode(swaggerJson: string): Buffer {
    const doc = JSON.parse(swaggerJson) as Obj;
    const info = isObject(doc['info']) ? doc['info'] : {};
    const paths = isObject(doc['paths']) ? Object.entries(doc['paths']).filter(([, v]) => isObject(v)) : [];
    const definitions = isObject(doc['definitions']) ? Object.entries(doc['definitions']) : [];
    const message = this.document.fromObject({
      swagger: doc['swagger'] ?? '2.0',
      info: { title: info['title'] ?? '', version: info['version'] ?? '' },
      paths: { path: paths.map(([name, item]) => ({ name, value: pathItem(item as Obj) })) },
      definitions: { additional_properties: definitions.map(([name, v]) => ({ name, value: schema(v) })) },
    });
    return Buffer.from(this.document.encode(message).finish());
  }
}
