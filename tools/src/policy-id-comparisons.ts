/**
 * Capabilities, not identities: outside `packages/policies`, no code decides what to do by
 * comparing a policy id. A driver or the bench that needs to know what a policy does reads the
 * capabilities the policy declares (`meta.capabilities`, reached as `ctx.policyCapabilities` or
 * `KernelInstance.policyCapabilities`), so a new policy is handled by what it declares instead of
 * being silently mis-handled for not having the id someone hard-coded.
 *
 * Checked from syntax, in every non-test source file of the workspace but the policies package:
 * - `===`, `!==`, `==`, `!=` with a string literal that is a registered policy's id
 *   (`cell.policy === "pin-bias"`), or with any string literal on one side and a policy id on the
 *   other (`ctx.policyId === "x"`, `k.policy.id !== "vaddr-pin"`);
 * - `case "vaddr-pin":`, and `.includes("pin-bias")`, `.has(...)`, `.indexOf(...)` with a
 *   registered id;
 * - a table indexed by a policy id (`EXTRA_ATOMICS[k.policy.id]`): behaviour keyed on identity.
 * Naming a policy is still fine where it selects rather than decides: a default
 * (`DEFAULT_POLICY`), the policy a published goal is stated for (`GOAL_POLICY`), a table keyed
 * by id such as `policyOptions`.
 * @module
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import ts from "typescript";
import { isTestFile } from "./boundaries.js";
import { sourceFiles, workspacePath, type SourceFinding } from "./source-files.js";

/** Where the policy plugins live: the only place allowed to compare policy ids. */
export const POLICIES_SRC = "packages/policies/src";

/** The folders checked, relative to the workspace root. */
export const CHECKED_DIRS: readonly string[] = ["packages", "apps", "docs/examples", "docs/check", "tools/src"];

const COMPARISONS = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken,
]);
const MEMBERSHIP = new Set(["includes", "has", "indexOf"]);

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
}

function unwrap(e: ts.Expression): ts.Expression {
  let x = e;
  while (ts.isParenthesizedExpression(x) || ts.isAsExpression(x) || ts.isNonNullExpression(x)) x = x.expression;
  return x;
}

/** The text of a string literal expression, or undefined. */
function literal(e: ts.Expression): string | undefined {
  const x = unwrap(e);
  return ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x) ? x.text : undefined;
}

/** True for an expression that holds a policy's id: `policyId`, `x.policyId`, `policy.id`, `x.policy.id`. */
function holdsPolicyId(e: ts.Expression): boolean {
  const x = unwrap(e);
  if (ts.isIdentifier(x)) return /^policyid$/i.test(x.text);
  if (!ts.isPropertyAccessExpression(x)) return false;
  if (/^policyid$/i.test(x.name.text)) return true;
  const owner = unwrap(x.expression);
  const ownerName = ts.isIdentifier(owner) ? owner.text : ts.isPropertyAccessExpression(owner) ? owner.name.text : undefined;
  return x.name.text === "id" && ownerName === "policy";
}

/** The ids the policies package gives its descriptors: every `meta: { id: "..." }` in its non-test sources. */
export function knownPolicyIds(root: string): string[] {
  const ids = new Set<string>();
  for (const file of sourceFiles(resolve(root, POLICIES_SRC))) {
    if (isTestFile(workspacePath(root, file))) continue;
    const visit = (n: ts.Node): void => {
      if (ts.isPropertyAssignment(n) && n.name.getText() === "meta" && ts.isObjectLiteralExpression(n.initializer)) {
        for (const p of n.initializer.properties) {
          const id = ts.isPropertyAssignment(p) && p.name.getText() === "id" ? literal(p.initializer) : undefined;
          if (id !== undefined) ids.add(id);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(parse(file));
  }
  return [...ids].sort();
}

/** Every policy-id comparison or lookup outside the policies package, with file, line and what to do instead. */
export function checkPolicyIdComparisons(root: string, ids: readonly string[] = knownPolicyIds(root)): SourceFinding[] {
  const known = new Set(ids);
  const out: SourceFinding[] = [];
  for (const dir of CHECKED_DIRS) {
    for (const file of sourceFiles(resolve(root, dir))) {
      const rel = workspacePath(root, file);
      if (rel.startsWith(`${POLICIES_SRC}/`) || isTestFile(rel)) continue;
      const sf = parse(file);
      const report = (n: ts.Node) => {
        const line = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
        out.push({
          file: rel, line,
          message: `${rel}:${line}: \`${n.getText(sf)}\` decides by a policy id: declare what the code needs in the policies' meta.capabilities and read it (ctx.policyCapabilities, KernelInstance.policyCapabilities) instead`,
        });
      };
      const visit = (n: ts.Node): void => {
        if (ts.isBinaryExpression(n) && COMPARISONS.has(n.operatorToken.kind)) {
          const [a, b] = [literal(n.left), literal(n.right)];
          const idLiteral = (a !== undefined && known.has(a)) || (b !== undefined && known.has(b));
          const againstId = (a !== undefined && holdsPolicyId(n.right)) || (b !== undefined && holdsPolicyId(n.left));
          if (idLiteral || againstId) report(n);
        } else if (ts.isCaseClause(n)) {
          const v = literal(n.expression);
          if (v !== undefined && known.has(v)) report(n.expression);
        } else if (ts.isElementAccessExpression(n) && holdsPolicyId(n.argumentExpression)) {
          report(n);
        } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && MEMBERSHIP.has(n.expression.name.text)) {
          const v = n.arguments.length > 0 ? literal(n.arguments[0]) : undefined;
          if (v !== undefined && known.has(v)) report(n);
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
  }
  return out;
}
