#!/usr/bin/env node
// `npm run build`: one package per CDK runtime from the one source (dist/cdktf, dist/cdktn).
// Each is compiled by its own TypeScript program, type-checked against its own runtime's
// declarations, with the source's `cdktf` / `@cdktf/provider-azurerm/...` module specifiers
// rewritten in every emitted file (tools/retarget.ts). The declarations are then rolled up into one index.d.ts, the
// public entry's, so nothing below it can be imported with types.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as ts from "typescript";
import { Extractor, ExtractorConfig, ExtractorLogLevel } from "@microsoft/api-extractor";
import { RUNTIMES } from "../scripts/runtimes";
import { foreignModulesIn, retargetText, type Runtime } from "./retarget";
import { SUPPORTED_TYPESCRIPT } from "../scripts/typescript-range";

const ROOT = resolve(__dirname, "..");

// The package itself or a file of it ("cdktf", "cdktf/lib/x"), not a "cdktf/..." symbol key both runtimes share.
const SOURCE_PACKAGE_TEXT = new RegExp(
  `["'\`](${[RUNTIMES.cdktf.core, RUNTIMES.cdktf.provider].map((p) => p.replace(/[/.]/g, "\\$&")).join("|")})(["'\`]|/lib/)`,
);

/** tsconfig.build.json, with the runtime's packages standing in for cdktf's when it is not cdktf. */
function buildConfig(runtime: Runtime, outDir: string, declarationDir: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, "tsconfig.build.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  )!;
  const { core, provider } = RUNTIMES[runtime];
  parsed.options = {
    ...parsed.options,
    outDir,
    declarationDir,
    paths: {
      [RUNTIMES.cdktf.core]: [join(ROOT, "node_modules", core)],
      [`${RUNTIMES.cdktf.provider}/lib/*`]: [join(ROOT, "node_modules", provider, "lib", "*")],
    },
  };
  return parsed;
}

function compile(runtime: Runtime, outDir: string, declarationDir: string): void {
  const { fileNames, options } = buildConfig(runtime, outDir, declarationDir);
  const program = ts.createProgram(fileNames, options);
  const missed: string[] = [];
  const result = program.emit(undefined, (fileName, text) => {
    const retargeted = retargetText(text, fileName, runtime);
    // What the rewrite left naming the source's packages (a form it does not handle) fails the build.
    for (const name of foreignModulesIn(retargeted, fileName, runtime)) missed.push(`${fileName}: ${name}`);
    // A specifier in a form no parse finds (a template literal, require.resolve): a quoted package name.
    if (runtime !== "cdktf" && SOURCE_PACKAGE_TEXT.test(retargeted))
      missed.push(`${fileName}: a quoted source package name`);
    ts.sys.writeFile(fileName, retargeted);
  });
  if (missed.length > 0)
    throw new Error(`the ${RUNTIMES[runtime].title} build still names the source's packages:\n${missed.join("\n")}`);
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  if (diagnostics.length > 0) {
    const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => ROOT, getNewLine: () => "\n" };
    throw new Error(
      `the ${RUNTIMES[runtime].title} build does not compile:\n${ts.formatDiagnostics(diagnostics, host)}`,
    );
  }
}

/** One index.d.ts holding the public entry's declarations (and none of the modules behind it). */
function rollUpDeclarations(runtime: Runtime, declarationDir: string, packageDir: string): void {
  const config = ExtractorConfig.prepare({
    configObjectFullPath: join(declarationDir, "api-extractor.json"),
    packageJsonFullPath: join(packageDir, "package.json"),
    configObject: {
      projectFolder: declarationDir,
      mainEntryPointFilePath: join(declarationDir, "index.d.ts"),
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            ...{ target: "ES2022", module: "commonjs", moduleResolution: "node", strict: true, skipLibCheck: true },
            typeRoots: [join(ROOT, "node_modules", "@types")],
            types: ["node"],
          },
          include: [join(declarationDir, "**/*.d.ts")],
        },
      },
      dtsRollup: { enabled: true, untrimmedFilePath: join(packageDir, "index.d.ts") },
      apiReport: { enabled: false },
      docModel: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // Release tags (@public, @beta) are API Extractor's own convention, not this library's.
        extractorMessageReporting: {
          default: { logLevel: ExtractorLogLevel.Warning },
          "ae-missing-release-tag": { logLevel: ExtractorLogLevel.None },
          // Types the entry uses but does not export are rolled up beside it, unexported: fine.
          "ae-forgotten-export": { logLevel: ExtractorLogLevel.None },
        },
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Error } },
      },
    },
  });
  const problems: string[] = [];
  const result = Extractor.invoke(config, {
    localBuild: true,
    messageCallback: (message) => {
      if (message.logLevel === ExtractorLogLevel.Error || message.logLevel === ExtractorLogLevel.Warning)
        problems.push(message.formatMessageWithLocation(declarationDir));
      message.handled = true;
    },
  });
  if (!result.succeeded || problems.length > 0)
    throw new Error(`the ${RUNTIMES[runtime].title} declarations do not roll up:\n${problems.join("\n")}`);
}

/** The package.json a consumer installs: the runtime's peers, the Node and TypeScript it supports. */
function packageJson(runtime: Runtime): Record<string, unknown> {
  const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const target = RUNTIMES[runtime];
  return {
    name: target.library,
    version: root.version,
    description: `${root.description}, for ${target.title}`,
    license: root.license,
    repository: root.repository,
    keywords: [...root.keywords, target.core],
    main: "lib/index.js",
    types: "index.d.ts",
    exports: { ".": { types: "./index.d.ts", default: "./lib/index.js" }, "./package.json": "./package.json" },
    engines: { node: target.node },
    peerDependencies: { ...target.peers, typescript: SUPPORTED_TYPESCRIPT.range },
    // JavaScript consumers need no compiler; TypeScript ones get the supported range checked by npm.
    peerDependenciesMeta: { typescript: { optional: true } },
  };
}

/**
 * The README with its links into the repository (docs/, LICENSE) made absolute, since the package
 * holds none of those files (inline links only, which is all the README writes), and its
 * TypeScript examples importing the runtime's packages.
 */
function packageReadme(runtime: Runtime): string {
  const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const base = `${String(root.repository.url)
    .replace(/^git\+/, "")
    .replace(/\.git$/, "")}/blob/main`;
  return (
    readFileSync(join(ROOT, "README.md"), "utf8")
      .replace(/\]\((?![a-z][a-z0-9+.-]*:|#|\/)([^)\s]+)\)/gi, (_, target: string) => `](${base}/${target})`)
      // The examples import as this package's app does.
      .replace(
        /```ts\n([\s\S]*?)```/g,
        (_, code: string) => `\`\`\`ts\n${retargetText(code, "example.ts", runtime)}\`\`\``,
      )
  );
}

function build(runtimes: readonly Runtime[], dist = join(ROOT, "dist")): void {
  for (const runtime of runtimes) {
    const packageDir = join(dist, runtime);
    // Inside the repository, so the declarations resolve the runtime's packages from its node_modules.
    const declarationDir = join(dist, `.declarations-${runtime}`);
    try {
      rmSync(packageDir, { recursive: true, force: true });
      mkdirSync(packageDir, { recursive: true });
      compile(runtime, join(packageDir, "lib"), declarationDir);
      writeFileSync(join(packageDir, "package.json"), `${JSON.stringify(packageJson(runtime), null, 2)}\n`);
      rollUpDeclarations(runtime, declarationDir, packageDir);
      for (const file of ["LICENSE", "NOTICE"]) cpSync(join(ROOT, file), join(packageDir, file));
      writeFileSync(join(packageDir, "README.md"), packageReadme(runtime));
    } finally {
      rmSync(declarationDir, { recursive: true, force: true });
    }
  }
}

if (require.main === module) {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((r) => !(r in RUNTIMES));
  if (unknown.length > 0) {
    console.error(`build: no runtime ${unknown.join(", ")}; runtimes: ${Object.keys(RUNTIMES).join(", ")}`);
    process.exit(2);
  }
  try {
    build(asked.length > 0 ? (asked as Runtime[]) : (Object.keys(RUNTIMES) as Runtime[]));
  } catch (error) {
    console.error(`build: ${(error as Error).message}`);
    process.exit(1);
  }
}
