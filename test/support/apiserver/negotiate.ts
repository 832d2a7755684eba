import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, unsupportedMediaType } from './errors.js';
import { sendJson } from './http-util.js';
import { NotRepresentable, PROTOBUF } from './protobuf.js';
import type { ProtoCatalog } from './protobuf.js';

/** Media types a body may arrive in, as kube-apiserver lists them in a 415. */
const BUILTIN_TYPES = ['application/json', 'application/yaml', PROTOBUF];
const CUSTOM_TYPES = ['application/json', 'application/yaml'];

/** What the client's Accept header asks first among what this double can answer. */
export function wantsProtobuf(accept: string | undefined): { protobuf: boolean; jsonOk: boolean } {
  const ranges = (accept ?? '').split(',').map((r) => r.trim().toLowerCase()).filter((r) => r !== '');
  if (ranges.length === 0) return { protobuf: false, jsonOk: true };
  let protobuf = false;
  let decided = false;
  let jsonOk = false;
  for (const range of ranges) {
    const [type = '', ...params] = range.split(';').map((p) => p.trim());
    const asTable = params.some((p) => p.startsWith('as='));
    const isJson = type === 'application/json' || type === '*/*' || type === 'application/*';
    if (isJson && !asTable) jsonOk = true;
    if (!decided && type === PROTOBUF && !asTable) {
      protobuf = true;
      decided = true;
    } else if (!decided && isJson && !asTable) decided = true;
  }
  return { protobuf, jsonOk };
}

/**
 * Sends an object in protobuf when the client asks for it first and every field survives the
 * encoding; otherwise JSON when acceptable (content negotiation, as kube-apiserver for kinds
 * without a protobuf form); otherwise 406.
 */
export function sendObject(catalog: ProtoCatalog, req: IncomingMessage, res: ServerResponse, code: number, apiVersion: string, kind: string, obj: Record<string, unknown>, json: () => string | Buffer): void {
  const want = wantsProtobuf(req.headers.accept);
  if (want.protobuf) {
    try {
      const body = catalog.encodeObject(apiVersion, kind, obj);
      if (res.headersSent || res.destroyed) return;
      res.writeHead(code, { 'Content-Type': PROTOBUF, 'Cache-Control': 'no-cache, private', 'Content-Length': body.length });
      res.end(body);
      return;
    } catch (err) {
      if (!(err instanceof NotRepresentable)) throw err;
      if (!want.jsonOk) throw new ApiError(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml (${err.message})`);
    }
  }
  sendJson(res, code, json());
}

/**
 * Decodes a POST/PUT/DELETE body by Content-Type: JSON, YAML, or Kubernetes protobuf for the
 * kinds in ./proto. A protobuf body of a kind without a schema here is a 415, and one with a
 * field number the schema lacks is a 400 naming it: nothing is dropped silently.
 */
export function decodeBody(catalog: ProtoCatalog, body: Buffer, contentType: string | undefined, builtin: boolean): unknown {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === PROTOBUF) {
    if (!builtin) throw unsupportedMediaType(type, CUSTOM_TYPES);
    try {
      return catalog.decodeBody(body);
    } catch (err) {
      if (!(err instanceof NotRepresentable)) throw err;
      if (err.message.startsWith('no protobuf schema')) throw unsupportedMediaType(`${type} (${err.message})`, BUILTIN_TYPES.slice(0, 2));
      throw badRequest(`this test double cannot decode the protobuf body without losing data: ${err.message}`);
    }
  }
  const text = body.toString('utf8');
  const yaml = type.includes('yaml');
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}
