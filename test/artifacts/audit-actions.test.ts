import path from 'node:path';
import ts from 'typescript';
import { declaredKindOf, EventKind } from '../../src/modules/events/event.rules';

/**
 * Every action the server appends to the audit trail has a kind: an action the kind map (event.rules) does not
 * name would reach subscribers and webhooks as OTHER without anyone deciding so. The actions are read from the
 * source with the type checker: each object literal typed as an AuditRecord (given to appendAudit or
 * appendAudits, or built for them), its `action` read as the string literals it can be — a literal, either
 * branch of a condition, a template's fixed prefix (`deployment.${status}` is `deployment.*`), a constant, or
 * a parameter, through the literals passed for it where the function is called.
 */
const ROOT = path.resolve(__dirname, '../..');
const SRC = path.join(ROOT, 'src') + path.sep;
const AUDIT_MODULE = path.join(SRC, 'modules', 'audit') + path.sep;

interface Found {
  action: string;
  where: string;
}

function scan(): { found: Found[]; unreadable: string[]; untyped: string[] } {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('tsconfig.json: not readable');
  const files = config.fileNames.map((f) => path.resolve(f)).filter((f) => f.startsWith(SRC));
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const sources = program.getSourceFiles().filter((sf) => path.resolve(sf.fileName).startsWith(SRC));
  const where = (node: ts.Node) => {
    const sf = node.getSourceFile();
    return `${path.relative(ROOT, sf.fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  };

  const isAuditRecord = (type: ts.Type | undefined): boolean => {
    if (!type) return false;
    if (type.isUnion()) return type.types.some(isAuditRecord);
    if (checker.isArrayType(type)) return false;
    const symbol = type.aliasSymbol ?? type.getSymbol();
    return (
      symbol?.getName() === 'AuditRecord' &&
      (symbol.declarations ?? []).some((d) => path.resolve(d.getSourceFile().fileName).startsWith(AUDIT_MODULE))
    );
  };
  const isAuditRecords = (type: ts.Type | undefined): boolean =>
    !!type &&
    (type.isUnion()
      ? type.types.some(isAuditRecords)
      : checker.isArrayType(type) && isAuditRecord(checker.getTypeArguments(type as ts.TypeReference)[0]));

  /** Typed as an AuditRecord where it stands, or returned by a callback that builds an AuditRecord[] (records.map(…)). */
  const isRecordLiteral = (node: ts.ObjectLiteralExpression): boolean => {
    if (isAuditRecord(checker.getContextualType(node))) return true;
    let outer: ts.Node = node;
    while (ts.isParenthesizedExpression(outer.parent)) outer = outer.parent;
    const fn = outer.parent;
    if (!(ts.isArrowFunction(fn) && fn.body === outer) || !ts.isCallExpression(fn.parent)) return false;
    return isAuditRecords(checker.getContextualType(fn.parent));
  };

  /** The string literals an expression can be, or why it cannot be read. */
  const calls = sources.flatMap((sf) => {
    const out: ts.CallExpression[] = [];
    const visit = (n: ts.Node) => {
      if (ts.isCallExpression(n)) out.push(n);
      ts.forEachChild(n, visit);
    };
    visit(sf);
    return out;
  });
  const literals = (expr: ts.Expression, seen = new Set<ts.Node>()): string[] | string => {
    if (seen.has(expr)) return `${where(expr)}: a cycle`;
    seen.add(expr);
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr)) return literals(expr.expression, seen);
    if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return [expr.text];
    if (ts.isTemplateExpression(expr)) return [`${expr.head.text}*`];
    if (ts.isConditionalExpression(expr)) {
      const [a, b] = [literals(expr.whenTrue, seen), literals(expr.whenFalse, seen)];
      return typeof a === 'string' ? a : typeof b === 'string' ? b : [...a, ...b];
    }
    if (ts.isIdentifier(expr)) {
      const symbol = ts.isShorthandPropertyAssignment(expr.parent)
        ? checker.getShorthandAssignmentValueSymbol(expr.parent)
        : checker.getSymbolAtLocation(expr);
      const declaration = symbol?.valueDeclaration;
      if (
        declaration &&
        ts.isVariableDeclaration(declaration) &&
        declaration.initializer &&
        ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const
      ) {
        return literals(declaration.initializer, seen);
      }
      if (declaration && ts.isParameter(declaration)) {
        const fn = declaration.parent;
        const index = fn.parameters.indexOf(declaration);
        const sites = calls.filter((c) => checker.getResolvedSignature(c)?.declaration === fn);
        if (!sites.length) return `${where(expr)}: a parameter of a function nobody calls`;
        const all: string[] = [];
        for (const call of sites) {
          const argument = call.arguments[index];
          if (!argument) return `${where(call)}: no argument for "${expr.text}"`;
          const found = literals(argument, seen);
          if (typeof found === 'string') return found;
          all.push(...found);
        }
        return all;
      }
    }
    return `${where(expr)}: "${expr.getText()}" is not a string this test can read`;
  };

  const found: Found[] = [];
  const unreadable: string[] = [];
  const untyped: string[] = [];
  for (const sf of sources) {
    const visit = (node: ts.Node) => {
      if (ts.isObjectLiteralExpression(node)) {
        const action = node.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'action');
        const hasSubject = node.properties.some((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'subjectType');
        const value =
          action && (ts.isPropertyAssignment(action) ? action.initializer : ts.isShorthandPropertyAssignment(action) ? action.name : null);
        if (value && isRecordLiteral(node)) {
          const actions = literals(value);
          if (typeof actions === 'string') unreadable.push(actions);
          else found.push(...actions.map((a) => ({ action: a, where: where(node) })));
        } else if (value && hasSubject && !path.resolve(sf.fileName).startsWith(AUDIT_MODULE) && typeof literals(value) !== 'string') {
          // Shaped like an audit record, with a literal action, but not typed as one: the scan would miss it.
          untyped.push(where(node));
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { found, unreadable, untyped };
}

const { found, unreadable, untyped } = scan();

test('the scan finds the actions of the audit trail, and reads every one', () => {
  expect(unreadable).toEqual([]);
  expect(untyped).toEqual([]);
  // What it is known to find, so that a scan that silently finds nothing fails.
  expect(found.map((f) => f.action)).toEqual(
    expect.arrayContaining([
      'version.registered',
      'version.stage_changed',
      'alert.acknowledged',
      'alert.raised',
      'deployment.*',
      'webhook.paused',
    ]),
  );
});

test('every action appended to the audit trail has a kind in the kind map (OTHER only where the map says so)', () => {
  const unnamed = found.filter((f) => declaredKindOf(f.action) === null).map((f) => `${f.where}: ${f.action}`);
  expect(unnamed).toEqual([]);
});

test('the actions that are OTHER are the ones meant to be', () => {
  const other = [...new Set(found.filter((f) => declaredKindOf(f.action) === EventKind.OTHER).map((f) => f.action))].sort();
  expect(other).toEqual([
    'audit.break_acknowledged',
    'webhook.created',
    'webhook.deleted',
    'webhook.paused',
    'webhook.redelivered',
    'webhook.resumed',
    'webhook.secret_rotated',
  ]);
});
