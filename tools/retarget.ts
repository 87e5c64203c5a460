#!/usr/bin/env node
// The source's module specifiers moved to another CDK runtime's packages (scripts/runtimes.js),
// found on the syntax tree and replaced in place: only module specifiers change, never other text,
// and the rest of the file keeps its bytes. The build runs it on every emitted file; the package
// check runs it on a copy of the consumer app (`tools/retarget.ts <runtime> <file>...`), the same
// rename a cdktf app makes to move to CDK Terrain.
import { readFileSync, writeFileSync } from "node:fs";
import * as ts from "typescript";
import { RUNTIMES, retarget } from "../scripts/runtimes";

export type Runtime = keyof typeof RUNTIMES;

/** The string literals that name a module: import, export, import type, import(), require(), import x = require(). */
function moduleSpecifiers(file: ts.SourceFile): ts.StringLiteralLike[] {
  const found: ts.StringLiteralLike[] = [];
  const visit = (node: ts.Node): void => {
    let specifier: ts.Node | undefined;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) specifier = node.moduleSpecifier;
    else if (ts.isExternalModuleReference(node)) specifier = node.expression;
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) specifier = node.argument.literal;
    else if (
      ts.isCallExpression(node) &&
      node.arguments.length === 1 &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require"))
    )
      specifier = node.arguments[0];
    if (specifier && ts.isStringLiteralLike(specifier)) found.push(specifier);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const parse = (text: string, fileName: string): ts.SourceFile =>
  ts.createSourceFile(
    fileName,
    text,
    ts.ScriptTarget.Latest,
    true,
    /\.(c|m)?js$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS,
  );

/**
 * The modules a file names that are not the runtime's own: what the rewrite missed. Also reads
 * `/// <reference types>` directives and ambient `declare module "..."` names, which it does not rewrite.
 */
export function foreignModulesIn(text: string, fileName: string, runtime: Runtime): string[] {
  const file = parse(text, fileName);
  const ambient = file.statements.flatMap((s) =>
    ts.isModuleDeclaration(s) && ts.isStringLiteral(s.name) ? [s.name.text] : [],
  );
  return [
    ...moduleSpecifiers(file).map((l) => l.text),
    ...file.typeReferenceDirectives.map((d) => d.fileName),
    ...ambient,
  ].filter((name) => {
    const to = retarget(name, runtime);
    return to !== undefined && to !== name;
  });
}

export function retargetText(text: string, fileName: string, runtime: Runtime): string {
  const file = parse(text, fileName);
  let out = text;
  // From the end, so earlier offsets stay valid.
  for (const literal of moduleSpecifiers(file).reverse()) {
    const to = retarget(literal.text, runtime);
    if (to !== undefined && to !== literal.text)
      out = `${out.slice(0, literal.getStart(file))}${JSON.stringify(to)}${out.slice(literal.end)}`;
  }
  return out;
}

if (require.main === module) {
  const [runtime, ...files] = process.argv.slice(2);
  if (!(runtime in RUNTIMES) || files.length === 0) {
    console.error(`usage: tools/retarget.ts <${Object.keys(RUNTIMES).join("|")}> <file>...`);
    process.exit(2);
  }
  for (const file of files) writeFileSync(file, retargetText(readFileSync(file, "utf8"), file, runtime as Runtime));
}
