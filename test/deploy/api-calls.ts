// Derives the RBAC verbs the controller needs from the code itself (issue 13): every call of a
// KubeClient method in src, found with the TypeScript type checker, mapped to (resource, verb).
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** KubeClient method -> RBAC verb (client-go's verbs; `replace` is a PUT, i.e. update). */
const METHOD_VERBS: Readonly<Record<string, string>> = {
  list: 'list', watch: 'watch', get: 'get', create: 'create', replace: 'update', mergePatch: 'patch', delete: 'delete',
};

/**
 * Call sites that pass a resource through (a generic helper): the function that contains the call
 * and how its callers name the resource. Key: `<file>#<function>`; a new generic site fails the
 * test until it is described here.
 */
export const GENERIC_SITES: Readonly<Record<string, { readonly via: string; readonly argument: 'argument' | 'resource-property' }>> = {
  // The reflector lists and watches `options.resource`; informers are created with `{ resource: RESOURCES.x }`.
  'src/kube/informer/reflector.ts#listAll': { via: 'createInformer', argument: 'resource-property' },
  'src/kube/informer/reflector.ts#watchOnce': { via: 'createInformer', argument: 'resource-property' },
  // The rebuild lists every page of `kind.resource`: `listReduced(ctx, { resource: RESOURCES.x, ... }, signal)`.
  'src/controllers/session/rebuild.ts#listReduced': { via: 'listReduced', argument: 'argument' },
};

export interface CallScan {
  /** `group resource[/sub] verb`, sorted, `core` for the core group. */
  readonly grants: string[];
  /** Generic call sites found (keys as in GENERIC_SITES). */
  readonly genericSites: string[];
  /** How many calls of each pass-through helper named a resource (0 means the mapping is broken). */
  readonly viaCalls: Readonly<Record<string, number>>;
}

interface Usage {
  readonly resource: string;
  readonly sub: string;
  readonly verb: string;
}

function enclosingFunctionName(node: ts.Node): string {
  for (let n: ts.Node | undefined = node.parent; n !== undefined; n = n.parent) {
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.name !== undefined) return n.name.getText();
    if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && ts.isVariableDeclaration(n.parent)) return n.parent.name.getText();
    if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && ts.isPropertyAssignment(n.parent)) return n.parent.name.getText();
  }
  return '<top>';
}

/** `RESOURCES.x`, or an identifier whose declaration is `const y = RESOURCES.x`; undefined otherwise. */
function resourceName(expr: ts.Expression | undefined, checker: ts.TypeChecker): string | undefined {
  if (expr === undefined) return undefined;
  if (ts.isPropertyAccessExpression(expr) && expr.expression.getText() === 'RESOURCES') return expr.name.text;
  if (ts.isIdentifier(expr)) {
    const decl = checker.getSymbolAtLocation(expr)?.valueDeclaration;
    if (decl !== undefined && ts.isVariableDeclaration(decl) && decl.initializer !== undefined && !ts.isParameter(decl)) return resourceName(decl.initializer, checker);
  }
  return undefined;
}

function hasStatusSubresource(args: readonly ts.Expression[]): boolean {
  return args.some((a) => ts.isObjectLiteralExpression(a) && a.properties.some((p) => ts.isPropertyAssignment(p) && p.name.getText() === 'subresource' && p.initializer.getText() === "'status'"));
}

/** KubeClient itself, or a `Pick`/`Omit` of it (the narrowed clients the elector and reflector take). */
function isKubeClient(type: ts.Type): boolean {
  if (type.getSymbol()?.getName() === 'KubeClient' || type.aliasSymbol?.getName() === 'KubeClient') return true;
  const alias = type.aliasSymbol?.getName();
  const inner = type.aliasTypeArguments?.[0];
  return (alias === 'Pick' || alias === 'Omit') && inner !== undefined && isKubeClient(inner);
}

/** Scans src/**.ts (the tsconfig's program). Takes a few seconds: it type-checks the project. */
export function scanApiCalls(resources: Readonly<Record<string, { group: string; plural: string }>>): CallScan {
  const config = ts.getParsedCommandLineOfConfigFile(`${ROOT}tsconfig.json`, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } });
  if (config === undefined) throw new Error('tsconfig.json not readable');
  const program = ts.createProgram(config.fileNames, config.options);
  const checker = program.getTypeChecker();
  const usages: Usage[] = [];
  const genericSites = new Set<string>();
  const via: Record<string, Array<{ resource: string }>> = { createInformer: [], listReduced: [] };
  const add = (resource: string, verb: string, sub = ''): void => void usages.push({ resource, sub, verb });

  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile || !file.fileName.startsWith(`${ROOT}src/`)) continue;
    const rel = file.fileName.slice(ROOT.length);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        const receiver = checker.getTypeAtLocation(node.expression.expression);
        if (isKubeClient(receiver) && (method in METHOD_VERBS || method === 'createEvent')) {
          if (method === 'createEvent') add('events', 'create');
          else {
            const resource = resourceName(node.arguments[0], checker);
            const verb = METHOD_VERBS[method] ?? '?';
            if (resource === undefined) genericSites.add(`${rel}#${enclosingFunctionName(node)}`);
            else add(resource, verb, hasStatusSubresource(node.arguments.slice(1)) ? 'status' : '');
          }
        }
      }
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        const callee = node.expression.text;
        if (callee === 'createInformer') {
          const arg = node.arguments[0];
          const prop = arg !== undefined && ts.isObjectLiteralExpression(arg) ? arg.properties.find((p) => ts.isPropertyAssignment(p) && p.name.getText() === 'resource') : undefined;
          const resource = prop !== undefined && ts.isPropertyAssignment(prop) ? resourceName(prop.initializer, checker) : undefined;
          if (resource !== undefined) via.createInformer?.push({ resource });
        }
        // A pass-through helper's callers, in the helper's own file (a local function).
        if (Object.keys(GENERIC_SITES).some((k) => k === `${rel}#${callee}` && GENERIC_SITES[k]?.argument === 'argument')) {
          // The resource is an argument, or the `resource` property of an object literal argument.
          const named = (a: ts.Expression): string | undefined => {
            if (!ts.isObjectLiteralExpression(a)) return resourceName(a, checker);
            const prop = a.properties.find((p) => ts.isPropertyAssignment(p) && p.name.getText() === 'resource');
            return prop !== undefined && ts.isPropertyAssignment(prop) ? resourceName(prop.initializer, checker) : undefined;
          };
          const resource = node.arguments.map(named).find((r) => r !== undefined);
          if (resource !== undefined) via[callee]?.push({ resource });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  for (const { resource } of via.createInformer ?? []) for (const verb of ['list', 'watch']) add(resource, verb);
  for (const { resource } of via.listReduced ?? []) add(resource, 'list');

  const grants = new Set<string>();
  for (const u of usages) {
    const r = resources[u.resource];
    if (r === undefined) throw new Error(`RESOURCES.${u.resource} is unknown`);
    grants.add(`${r.group || 'core'} ${r.plural}${u.sub === '' ? '' : `/${u.sub}`} ${u.verb}`);
  }
  const viaCalls = Object.fromEntries(Object.entries(via).map(([k, v]) => [k, v.length]));
  return { grants: [...grants].sort(), genericSites: [...genericSites].sort(), viaCalls };
}
