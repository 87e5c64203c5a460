// The service module contract's checklist: every shipped service gives every part (or says why
// not), and a definition that leaves a part out, misspells one or gives no reason is refused at
// definition time with the service, the part and the fix.
import { SERVICE_PARTS, isNotApplicable } from "../constructs/azure";
import { defineService, notApplicable, ServiceDefinition } from "../constructs";
import { SHIPPED_SERVICES } from "../constructs/services";
import { refusal } from "./helpers";

describe("every shipped service", () => {
  it.each(SHIPPED_SERVICES.map((s) => [s.name, s] as const))("%s gives every part, or a reason it has none", (_, s) => {
    for (const part of SERVICE_PARTS) {
      const value: unknown = (s as ServiceDefinition)[part];
      expect([part, typeof value === "object" && value !== null]).toEqual([part, true]);
      if (isNotApplicable(value)) expect([part, value.notApplicable.length > 20]).toEqual([part, true]);
    }
  });

  it("with roles that reach data says who authorizes them and what is logged of them", () => {
    const holes = SHIPPED_SERVICES.flatMap((s) => {
      const roles = isNotApplicable(s.roles) ? [] : Object.values(s.roles);
      if (!roles.some((r) => r.plane === "data")) return [];
      return (["authorization", "audit"] as const).filter((p) => isNotApplicable(s[p])).map((p) => `${s.name}: ${p}`);
    });
    expect(holes).toEqual([]);
  });
});

describe("defineService refuses a definition", () => {
  const parts = () =>
    Object.fromEntries(SERVICE_PARTS.map((p) => [p, notApplicable("this test's service has none of it")])) as Omit<
      ServiceDefinition,
      "name" | "namespaces"
    >;
  const define = (definition: unknown) => refusal(() => defineService(definition as ServiceDefinition));

  it.each(SERVICE_PARTS)("without its %s part", (part) => {
    const { [part]: _, ...rest } = parts();
    const error = define({ name: "Contoso Maps", namespaces: ["Contoso.Maps"], ...rest });
    expect(error.message).toBe(
      `[defineService] Contoso Maps: the definition has no ${part} part: null. Fix: give ${part} (see docs/architecture.md), or notApplicable("why Contoso Maps has none")`,
    );
  });

  it("with a misspelt part, which no rule would ever read", () => {
    const error = define({ name: "Contoso Maps", namespaces: ["Contoso.Maps"], ...parts(), role: {} });
    expect(error.problem).toBe("Contoso Maps: the definition has keys the contract does not know");
    expect(error.value).toEqual(["role"]);
    expect(error.fix).toMatch(/^name the parts resourceTypes, roles, authorization/);
  });

  it("with a part not applicable for no reason", () => {
    const error = define({ name: "Contoso Maps", namespaces: ["Contoso.Maps"], ...parts(), audit: notApplicable(" ") });
    expect(error.problem).toBe("Contoso Maps: audit is not applicable without a reason");
    expect(error.fix).toBe('say why: notApplicable("why Contoso Maps has no audit")');
  });

  it.each([[undefined], [[]], [["Contoso.Maps", 7]]])("with namespaces %j", (namespaces) => {
    const error = define({ name: "Contoso Maps", namespaces, ...parts() });
    expect(error.problem).toBe("Contoso Maps: namespaces must list the service's resource provider namespaces");
  });

  it("without a name", () => {
    expect(define({ namespaces: ["Contoso.Maps"], ...parts() }).problem).toBe("A service definition has no name");
  });

  it("a second time under a shipped service's name", () => {
    const error = define({ name: "Key Vault", namespaces: ["Microsoft.KeyVault"], ...parts() });
    expect(error.problem).toBe('A service named "Key Vault" is already defined');
  });
});

describe("a registered definition", () => {
  it("cannot be changed after its checks, parts included", () => {
    const storage = SHIPPED_SERVICES.find((s) => s.name === "Storage")!;
    expect(Object.isFrozen(storage.keys)).toBe(true);
    expect(Object.isFrozen(storage.resourceTypes)).toBe(true);
    expect(Object.isFrozen(storage.namespaces)).toBe(true);
    expect(() => {
      (storage.keys as { sharedKey?: unknown }).sharedKey = () => undefined;
    }).toThrow(TypeError);
    expect(() => {
      (storage.namespaces as unknown as string[]).push("Microsoft.Evil");
    }).toThrow(TypeError);
  });
});
