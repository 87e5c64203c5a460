// Issue 21's boundary: no library file outside a service's module (and the public index) names a
// service's resource type, ARM namespace or role. The literals are read with the TypeScript
// parser, so comments and import paths do not count, while template parts, patterns and bare
// object keys do.
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { allRoles, isAzureRole, resourceTypeOfTerraform, UNOWNED_SECRET_ATTRIBUTES } from "../constructs/azure";

const ROOT = path.join(__dirname, "..", "constructs");
const SECRET_ATTRIBUTES = "azure/secret-attributes.ts";

/** Library files judged: all but the service modules (whose knowledge it is) and the public index. */
function libraryFiles(dir = ROOT): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    const relative = path.relative(ROOT, full).split(path.sep).join("/");
    if (entry.isDirectory()) return relative === "services" ? [] : libraryFiles(full);
    return entry.name.endsWith(".ts") && relative !== "index.ts" ? [relative] : [];
  });
}

interface Literal {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** Every string literal and template part of a file, with its line; module specifiers are paths, not names. */
function literalsOf(file: string, text = fs.readFileSync(path.join(ROOT, file), "utf8")): Literal[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Literal[] = [];
  const add = (node: ts.Node, text: string) =>
    found.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, text });
  const visit = (node: ts.Node): void => {
    // An import's or re-export's clause holds names, its specifier a path: neither is a literal naming a service.
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isImportTypeNode(node)) return;
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node) ||
      // A pattern spelling a type names it as surely as a string does.
      ts.isRegularExpressionLiteral(node)
    )
      add(node, node.text);
    // An object key written bare (`{ azurerm_subnet: … }`) is the same table entry as a quoted one.
    else if (ts.isIdentifier(node) && ts.isPropertyAssignment(node.parent) && node.parent.name === node)
      add(node, node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

// An azurerm type, whole or as a token; the bare `azurerm_` prefix and `data.` are provider-wide.
const AZURERM = /(?<![A-Za-z0-9_.])(?:data\.)?azurerm_[a-z0-9_]*[a-z0-9]/g;
// An ARM namespace or type; `microsoft.com` in a host name is Microsoft's web site, not a namespace.
const ARM = /(?<![A-Za-z0-9_.])microsoft\.(?!com\b)[a-z][a-z0-9]*(?:\.[a-z][a-z0-9]*)*(?:\/[a-z0-9*]+)*/gi;

const roleNames = () => [
  ...new Set(
    allRoles()
      .filter(isAzureRole)
      .map((r) => r.name),
  ),
];

/** What a literal names of a service: its resource types, namespaces or built-in roles. */
function namesIn(text: string, roles: readonly string[]): string[] {
  const lower = text.trim().toLowerCase();
  return [
    ...(text.match(AZURERM) ?? []),
    ...(text.match(ARM) ?? []),
    ...roles.filter((role) => {
      const name = role.toLowerCase();
      if (lower === name) return true;
      // A one-word name ("Reader", "Owner") is an ordinary word inside a sentence: only whole literals count.
      if (!name.includes(" ")) return false;
      const at = lower.indexOf(name);
      return at >= 0 && !/[a-z0-9]/.test(lower[at - 1] ?? "") && !/[a-z0-9]/.test(lower[at + name.length] ?? "");
    }),
  ];
}

/**
 * What may name a service outside its module, each with why. An entry is a file and the names
 * (exact) it may hold there; keep it tiny: everything else belongs to a service's part.
 */
const ALLOWED: readonly { readonly file: string; readonly names: readonly string[]; readonly reason: string }[] = [
  {
    file: "azure/abac/analysis.ts",
    names: [
      "microsoft.authorization/roleassignments",
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.Authorization/roleAssignments/delete",
    ],
    reason:
      "ABAC language: a delegation condition's attributes (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]) are Azure's condition grammar, spelt as Azure does; no resource type is judged from them",
  },
  {
    file: "azure/abac/condition.ts",
    names: ["Microsoft.Authorization/roleAssignments"],
    reason: "ABAC language: the action prefix a delegation condition writes (…/roleAssignments/write), Azure's grammar",
  },
  {
    file: "azure/role-catalog.ts",
    names: ["Microsoft.Authorization/roleDefinitions"],
    reason: "Azure RBAC's id grammar: every role definition id has this path, whichever service the role is of",
  },
  {
    file: "guardrails/rules/assignment-rules.ts",
    names: ["Microsoft.Authorization/roleDefinitions"],
    reason: "example in a message: the role definition id form the fix asks for (RBAC's id grammar)",
  },
  {
    file: "azure/contract/index.ts",
    names: ["Microsoft.KeyVault"],
    reason: "example in a message: how defineService's fix shows a namespaces list",
  },
  {
    file: "azure/contract/resource-types.ts",
    names: ["Microsoft.KeyVault/vaults", "Microsoft.KeyVault/vaults/secrets"],
    reason: "example in a message: how defineService's fix shows an azureType",
  },
  {
    file: "stack/resource-providers.ts",
    names: ["azurerm_maps_account", "Microsoft.Maps"],
    reason: "example in a message: a type no registered service defines, to show the namespace override",
  },
  {
    file: "azure/azure-ids.ts",
    names: ["Microsoft.Management/managementGroups"],
    reason:
      "not moved yet: ARM's scope above subscriptions is no registered resource type (Resource Manager's part has no management group type, namespace Microsoft.Management, nor a placement for it)",
  },
  {
    file: "estate/scopes.ts",
    names: ["azurerm_subscription", "azurerm_management_group", "Microsoft.Management/managementGroups/mg"],
    reason:
      "not moved yet: subscriptions and management groups are no resource type of Resource Manager's part (no id placement fits /subscriptions/<id>); resource groups are read from it",
  },
  {
    file: "guardrails/rules/target-rules.ts",
    names: [
      "azurerm_postgresql_flexible_server_active_directory_administrator",
      "azurerm_mssql_server",
      "azurerm_postgresql_flexible_server",
    ],
    reason:
      "not moved yet: IG029's password judges belong in Azure SQL's and PostgreSQL's keys parts (a passwordAuth judge), which the contract does not have yet",
  },
  {
    file: "guardrails/rules/policy-rules.ts",
    names: [
      "User Access Administrator",
      "Key Vault Administrator",
      "Network Contributor",
      "Private DNS Zone Contributor",
    ],
    reason:
      "not moved yet: the rule catalogue's descriptions (docs, reports) name roles as examples; deriving them from the role flags would change the generated rule table",
  },
  {
    file: "guardrails/secret-scan.ts",
    names: ["Microsoft.KeyVault", "azurerm_key_vault_secret"],
    reason:
      "not moved yet: the App Service Key Vault reference grammar (@Microsoft.KeyVault(SecretUri=…)) and a secret's URI reference are Key Vault's, but the contract has no part for setting references (and the secret's type has no terraformType: its id is a data-plane URI, not an ARM id)",
  },
];

/** Names of a literal the allow-list does not cover; secret-attributes.ts may name types no service defines. */
function unexplained({ file, text }: Literal, roles: readonly string[]): string[] {
  const allowed = ALLOWED.filter((a) => a.file === file).flatMap((a) => a.names);
  return namesIn(text, roles).filter((name) => {
    if (allowed.includes(name)) return false;
    // Types no service defines: the secret scan's fallback table (checked below against the registry).
    if (file === SECRET_ATTRIBUTES && /^(?:data\.)?azurerm_/.test(name)) return false;
    return true;
  });
}

describe("service boundaries", () => {
  it("no library file outside a service's module names a service's resource type, namespace or role", () => {
    const roles = roleNames();
    const offences = libraryFiles().flatMap((file) =>
      literalsOf(file).flatMap((literal) =>
        unexplained(literal, roles).map(
          (name) => `constructs/${literal.file}:${literal.line} ${name} in ${JSON.stringify(literal.text)}`,
        ),
      ),
    );
    expect(offences).toEqual([]);
  });

  it("allows nothing it no longer needs", () => {
    // A stale entry would let a name back in unnoticed: each allowed name must still occur in its file.
    const roles = roleNames();
    const stale = ALLOWED.flatMap(({ file, names }) => {
      const found = new Set(literalsOf(file).flatMap((l) => namesIn(l.text, roles)));
      return names.filter((name) => !found.has(name)).map((name) => `${file}: ${name}`);
    });
    expect(stale).toEqual([]);
  });

  it("secret-attributes.ts lists only types no registered service defines", () => {
    // A type a service defines belongs in that service's keys part, where its definition is checked.
    const owned = UNOWNED_SECRET_ATTRIBUTES.flatMap((table) => Object.keys(table)).filter(
      (type) => resourceTypeOfTerraform(type.replace(/^data\./, "")) !== undefined,
    );
    expect(owned).toEqual([]);
  });

  it("finds what it is for, and not comments or import paths", () => {
    const roles = ["Storage Blob Data Reader", "Reader"];
    expect(namesIn("azurerm_key_vault", roles)).toEqual(["azurerm_key_vault"]);
    expect(namesIn("data.azurerm_key_vault_secret.value", roles)).toEqual(["data.azurerm_key_vault_secret"]);
    expect(namesIn("azurerm_", roles)).toEqual([]);
    expect(namesIn("Microsoft.KeyVault/vaults/secrets", roles)).toEqual(["Microsoft.KeyVault/vaults/secrets"]);
    expect(namesIn("microsoft.storage", roles)).toEqual(["microsoft.storage"]);
    expect(namesIn("see https://learn.microsoft.com/azure", roles)).toEqual([]);
    expect(namesIn("grant Storage Blob Data Reader instead", roles)).toEqual(["Storage Blob Data Reader"]);
    expect(namesIn("a Reader of it", roles)).toEqual([]);
    expect(namesIn("Reader", roles)).toEqual(["Reader"]);
  });

  it("reads literals with the parser: comments and import paths are not literals; template parts, patterns and bare keys are", () => {
    const probe = [
      '// "azurerm_key_vault" in a comment',
      'import { x } from "@cdktf/provider-azurerm/lib/key-vault";',
      "const t = `${x}/providers/Microsoft.KeyVault/vaults/${x}`;",
      "const table = { azurerm_subnet: /^azurerm_subnet$/ };",
    ].join("\n");
    expect(literalsOf("probe.ts", probe).map((l) => [l.line, namesIn(l.text, [])])).toEqual([
      [3, []],
      [3, ["Microsoft.KeyVault/vaults"]],
      [3, []],
      [4, ["azurerm_subnet"]],
      [4, ["azurerm_subnet"]],
    ]);
  });
});
