/**
 * Azure SignalR Service and Web PubSub, added as one service module: their data roles granted on
 * their own targets only, local auth and Entra auth judged (IG028), the logs' missing caller
 * stated as a gap (IG026), network ACLs and public access judged (IG030), and the report's rows.
 */
import { Testing, TerraformStack } from "cdktf";
import { SignalrService, SignalrServiceConfig } from "@cdktf/provider-azurerm/lib/signalr-service";
import { WebPubsub, WebPubsubConfig } from "@cdktf/provider-azurerm/lib/web-pubsub";
import { WebPubsubNetworkAcl } from "@cdktf/provider-azurerm/lib/web-pubsub-network-acl";
import { SignalrServiceNetworkAcl } from "@cdktf/provider-azurerm/lib/signalr-service-network-acl";
import {
  configureIdentityStack,
  Roles,
  SignalRServiceTarget,
  UserAssignedIdentity,
  WebPubSubTarget,
  buildAccessReport,
  ResourceId,
} from "../constructs";
import { auditPointOf } from "../constructs/estate";
import { findSecrets } from "../constructs/guardrails";
import { inRg, only, refusal, resourcesOf, SUBSCRIPTION, TENANT, testStack } from "./helpers";
import { describeGuardrailCases, findings, GuardrailCase } from "./guardrail-cases";
import { endpointTo, sqlEstate } from "./network-fixtures";

const ENTRA_ONLY = { localAuthEnabled: false, aadAuthEnabled: true };
const signalr = (stack: TerraformStack, config: Partial<SignalrServiceConfig> = ENTRA_ONLY) =>
  (stack.node.tryFindChild("signalr") as SignalrService | undefined) ??
  new SignalrService(stack, "signalr", {
    ...inRg,
    name: "orders-signalr",
    sku: { name: "Premium_P1", capacity: 1 },
    ...config,
  });
const pubsub = (stack: TerraformStack, config: Partial<WebPubsubConfig> = ENTRA_ONLY) =>
  (stack.node.tryFindChild("pubsub") as WebPubsub | undefined) ??
  new WebPubsub(stack, "pubsub", { ...inRg, name: "orders-pubsub", sku: "Premium_P1", ...config });

const identity = (stack: TerraformStack) =>
  (stack.node.tryFindChild("app") as UserAssignedIdentity | undefined) ??
  new UserAssignedIdentity(stack, "app", { ...inRg, name: "app-id" });
const grantOn = (stack: TerraformStack, target: { grant: (...args: any[]) => unknown }, role: unknown) =>
  target.grant(identity(stack), role, {
    reason: "pushes order updates",
    justification: "the upstream server mints client tokens",
  });

const providers = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rt-rg/providers/Microsoft.SignalRService`;

describe("SignalR and Web PubSub grants", () => {
  const signalRRoles = [Roles.SignalRAppServer, Roles.SignalRRestApiOwner, Roles.SignalRRestApiReader];
  const pubSubRoles = [Roles.WebPubSubServiceReader];

  it.each(signalRRoles.map((r) => [r.name, r] as const))(
    "grants %s on a SignalR service with its GUID, to a service principal",
    (_name, role) => {
      const stack = testStack();
      SignalRServiceTarget.of(signalr(stack)).grant(identity(stack), role, { reason: "serves hubs" });
      const assignment = only(resourcesOf(stack, "azurerm_role_assignment"));
      expect(assignment.role_definition_id).toBe(
        `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${role.guid}`,
      );
      expect(assignment.scope).toBe("${azurerm_signalr_service.signalr.id}");
      expect(assignment.principal_type).toBe("ServicePrincipal");
    },
  );

  it.each(pubSubRoles.map((r) => [r.name, r] as const))(
    "grants %s on a Web PubSub service by id with its GUID, to a service principal",
    (_name, role) => {
      const stack = testStack();
      const id = `${providers}/webPubSub/orders-pubsub`;
      WebPubSubTarget.fromId(stack, id).grant(identity(stack), role, { reason: "reads connections" });
      const assignment = only(resourcesOf(stack, "azurerm_role_assignment"));
      expect(assignment.role_definition_id).toMatch(new RegExp(`/roleDefinitions/${role.guid}$`));
      expect(assignment.scope).toBe(id);
      expect(assignment.principal_type).toBe("ServicePrincipal");
    },
  );

  it("grants the broad Service Owner roles only with a justification", () => {
    for (const [target, role] of [
      [(s: TerraformStack) => SignalRServiceTarget.of(signalr(s)), Roles.SignalRServiceOwner],
      [(s: TerraformStack) => WebPubSubTarget.of(pubsub(s)), Roles.WebPubSubServiceOwner],
    ] as const) {
      const refused = testStack();
      const error = refusal(() =>
        (target(refused) as SignalRServiceTarget).grant(identity(refused), role as never, {
          reason: "upstream server",
        }),
      );
      expect(error.message).toMatch(new RegExp(`IG002 broad-data-role: broad data role ${role.name} for`));
      const granted = testStack();
      grantOn(granted, target(granted), role);
      expect(only(resourcesOf(granted, "azurerm_role_assignment")).role_definition_id).toMatch(
        new RegExp(`${role.guid}$`),
      );
    }
  });

  it("refuses a SignalR role on a Web PubSub target, and a Web PubSub role on SignalR, at compile time and at run time", () => {
    const stack = testStack();
    const pubSubTarget = WebPubSubTarget.of(pubsub(stack));
    const signalRTarget = SignalRServiceTarget.of(signalr(stack));
    // @ts-expect-error a SignalR role is no Web PubSub role
    const onPubSub = refusal(() => pubSubTarget.grant(identity(stack), Roles.SignalRAppServer, { reason: "x" }));
    expect(onPubSub.message).toMatch(/SignalR App Server/);
    expect(onPubSub.message).toMatch(/Web PubSub/);
    const reader = Roles.WebPubSubServiceReader;
    // @ts-expect-error a Web PubSub role is no SignalR role
    const onSignalR = refusal(() => signalRTarget.grant(identity(stack), reader, { reason: "x" }));
    expect(onSignalR.message).toMatch(/Web PubSub Service Reader/);
    expect(resourcesOf(stack, "azurerm_role_assignment")).toEqual({});
  });

  it("refuses a name Azure would refuse, and gives the endpoints SDKs take", () => {
    const stack = testStack();
    expect(refusal(() => WebPubSubTarget.fromId(stack, `${providers}/webPubSub/9-starts-with-digit`)).message).toMatch(
      /starts with a letter/,
    );
    expect(SignalRServiceTarget.fromId(stack, `${providers}/signalR/orders-signalr`).endpoint).toBe(
      "https://orders-signalr.service.signalr.net",
    );
    expect(WebPubSubTarget.fromId(stack, `${providers}/webPubSub/orders-pubsub`).endpoint).toBe(
      "https://orders-pubsub.webpubsub.azure.com",
    );
  });
});

/** An estate granting on a Web PubSub service whose network ACL admits these requests publicly. */
const pubsubBehindAcl = (s: TerraformStack, allowedRequestTypes: string[]) =>
  sqlEstate(s, {
    integrate: true,
    grants: () => {
      const service = pubsub(s);
      new WebPubsubNetworkAcl(s, "pubsub-acl", { webPubsubId: service.id, publicNetwork: { allowedRequestTypes } });
      return [WebPubSubTarget.of(service).allow(Roles.WebPubSubServiceReader, "monitors connections")];
    },
  });

/** An estate granting on a SignalR service whose network ACL denies these requests publicly. */
const signalrBehindAcl = (s: TerraformStack, deniedRequestTypes: string[]) =>
  sqlEstate(s, {
    integrate: true,
    grants: () => {
      const service = signalr(s);
      new SignalrServiceNetworkAcl(s, "signalr-acl", {
        signalrServiceId: service.id,
        defaultAction: "Allow",
        publicNetwork: { deniedRequestTypes },
      });
      return [SignalRServiceTarget.of(service).allow(Roles.SignalRAppServer, "serves hubs")];
    },
  });

const CASES: GuardrailCase[] = [
  {
    ruleId: "IG028",
    about: "a SignalR service on its default local auth",
    bad: (s) => grantOn(s, SignalRServiceTarget.of(signalr(s, {})), Roles.SignalRAppServer),
    good: (s) => grantOn(s, SignalRServiceTarget.of(signalr(s)), Roles.SignalRAppServer),
    message:
      /^SignalR App Server for .* on azurerm_signalr_service\.signalr, but the service still accepts its access keys: anyone holding a key bypasses/,
    fix: /^set local_auth_enabled = false on azurerm_signalr_service\.signalr$/,
  },
  {
    ruleId: "IG028",
    about: "a Web PubSub service refusing Entra tokens",
    bad: (s) =>
      grantOn(
        s,
        WebPubSubTarget.of(pubsub(s, { localAuthEnabled: false, aadAuthEnabled: false })),
        Roles.WebPubSubServiceOwner,
      ),
    good: (s) => grantOn(s, WebPubSubTarget.of(pubsub(s)), Roles.WebPubSubServiceOwner),
    message:
      /^Web PubSub Service Owner for .* on azurerm_web_pubsub\.pubsub, but the service does not accept Microsoft Entra tokens, so the role grants nothing$/,
    fix: /^set aad_auth_enabled = true on azurerm_web_pubsub\.pubsub$/,
  },
  {
    ruleId: "IG030",
    about: "a SignalR service with public network access off",
    bad: (s) =>
      sqlEstate(s, {
        integrate: true,
        grants: () => [
          SignalRServiceTarget.of(signalr(s, { ...ENTRA_ONLY, publicNetworkAccessEnabled: false })).allow(
            Roles.SignalRAppServer,
            "serves hubs",
          ),
        ],
      }),
    good: (s) =>
      sqlEstate(s, {
        integrate: true,
        grants: (e) => {
          const target = SignalRServiceTarget.of(signalr(s, { ...ENTRA_ONLY, publicNetworkAccessEnabled: false }));
          endpointTo(s, "signalr-endpoint", target.scopeReference, e.endpoints.id, "signalr");
          return [target.allow(Roles.SignalRAppServer, "serves hubs")];
        },
      }),
    message: /holds SignalR App Server on orders-signalr .*its public network access is disabled/,
  },
  {
    ruleId: "IG030",
    about: "a Web PubSub service whose network ACL admits no server request publicly",
    bad: (s) => pubsubBehindAcl(s, ["ClientConnection"]),
    good: (s) => pubsubBehindAcl(s, ["ClientConnection", "RESTAPI"]),
    message: /its azurerm_web_pubsub_network_acl admits none of a server's requests \(ServerConnection, RESTAPI\)/,
  },
  {
    ruleId: "IG030",
    about: "a SignalR service whose network ACL denies server requests from the public network",
    bad: (s) => signalrBehindAcl(s, ["ServerConnection", "RESTAPI"]),
    good: (s) => signalrBehindAcl(s, ["Trace"]),
    message: /its azurerm_signalr_service_network_acl admits none of a server's requests/,
  },
];

describeGuardrailCases(CASES);

describe("SignalR and Web PubSub audit", () => {
  const WORKSPACE_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/ops`;
  /** `connectivityLogs` as the service writes it; null leaves it unset. */
  const logged = (workspaceId?: string, connectivityLogs: unknown = true) => {
    const stack = testStack("orders");
    configureIdentityStack(stack, {
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
      guardrails: { severity: "warning" },
      auditLogs: workspaceId ? { workspaceId } : undefined,
    });
    const service = signalr(stack);
    if (connectivityLogs !== null) service.addOverride("connectivity_logs_enabled", connectivityLogs);
    grantOn(stack, SignalRServiceTarget.of(service), Roles.SignalRAppServer);
    grantOn(stack, WebPubSubTarget.of(pubsub(stack)), Roles.WebPubSubServiceOwner);
    return stack;
  };

  it("states the missing caller as a gap for both types", () => {
    for (const [type, service] of [
      ["signalR/orders-signalr", "SignalR"],
      ["webPubSub/orders-pubsub", "Web PubSub"],
    ]) {
      const point = auditPointOf(ResourceId.parseShape("scope", `${providers}/${type}`), service, true);
      expect(point?.profile.log).toBeUndefined();
      expect(point?.profile.gap).toMatch(/not which Entra identity called/);
    }
  });

  it("flags (IG026) grants whose resource logs go nowhere", () => {
    const messages = findings(logged(), "IG026").map((f) => f.message);
    expect(messages).toEqual([
      expect.stringMatching(
        /^SignalR App Server for .*: the SignalR service .*orders-signalr sends no data-access logs/,
      ),
      expect.stringMatching(
        /^Web PubSub Service Owner for .*: the Web PubSub service .*orders-pubsub sends no data-access logs/,
      ),
    ]);
  });

  // azurerm sends connectivity_logs_enabled = false unless set: AllLogs would then receive nothing.
  it.each([
    ["unset", null],
    ["false", false],
    ['"false"', "false"],
    ["a variable", "${var.connectivity_logs}"],
  ])("flags (IG026) a SignalR service whose connectivity_logs_enabled is %s, even with its setting", (_what, value) => {
    const [finding, ...others] = findings(logged(WORKSPACE_ID, value), "IG026");
    expect(others).toEqual([]);
    expect(finding.message).toMatch(
      /^SignalR App Server for .*: the SignalR service .*orders-signalr its connectivity_logs_enabled is not set to true \(azurerm sends false\), so the service emits no connection log to send$/,
    );
    expect(finding.fix).toMatch(/ and set connectivity_logs_enabled = true on the azurerm_signalr_service$/);
  });

  it.each([true, "true"])("is quiet (IG026) once connectivity_logs_enabled is %j", (value) => {
    expect(findings(logged(WORKSPACE_ID, value), "IG026")).toEqual([]);
  });

  it("with audit logs, sends the categories (Dedicated) and the report states the gap on each grant", () => {
    const stack = logged(WORKSPACE_ID);
    expect(findings(stack, "IG026")).toEqual([]);
    const settings = Object.values(resourcesOf(stack, "azurerm_monitor_diagnostic_setting"));
    const categories = (pattern: RegExp) => {
      const setting = settings.find((s) => pattern.test(s.target_resource_id));
      expect(setting?.log_analytics_destination_type).toBe("Dedicated");
      return [setting!.enabled_log].flat().map((l: { category: string }) => l.category);
    };
    expect(categories(/azurerm_signalr_service\./)).toEqual(["AllLogs"]);
    expect(categories(/azurerm_web_pubsub\./)).toEqual(["ConnectivityLogs", "MessagingLogs", "HttpRequestLogs"]);

    const report = buildAccessReport("orders", JSON.parse(Testing.synth(stack)));
    const row = (role: string) => report.grants.find((g) => g.role === role);
    expect(row("SignalR App Server")).toMatchObject({
      roleGuid: "420fcaa2-552c-430f-98ca-3264be4806c7",
      plane: "data",
      scope: "${azurerm_signalr_service.signalr.id}",
    });
    expect(row("SignalR App Server")?.audit).toMatch(/AllLogs to ops; .*not which Entra identity called/);
    expect(row("Web PubSub Service Owner")).toMatchObject({
      roleGuid: "12cf5a90-567b-43ae-8102-96cf46c7d9b4",
      plane: "data (broad)",
    });
  });
});

describe("SignalR and Web PubSub keys", () => {
  it.each([
    "${azurerm_signalr_service.s.primary_connection_string}",
    "${azurerm_web_pubsub.p.secondary_access_key}",
    "${data.azurerm_web_pubsub.p.primary_access_key}",
  ])("finds %s in an output", (value) => {
    expect(findSecrets({ output: { x: { value } } })).toEqual([
      { address: "output.x", where: "value", what: expect.stringMatching(/^a secret attribute \(/) },
    ]);
  });

  // Terraform reads "false" and 0 as false, and a reference is unknown here: only an absent,
  // true or "true" aad_auth_enabled is known to accept Entra tokens.
  const entra = (s: TerraformStack, make: "signalR" | "webPubSub", value: unknown) => {
    const localOnly = { localAuthEnabled: false };
    const resource = make === "signalR" ? signalr(s, localOnly) : pubsub(s, localOnly);
    if (value !== undefined) resource.addOverride("aad_auth_enabled", value);
    const target =
      make === "signalR"
        ? SignalRServiceTarget.of(resource as SignalrService)
        : WebPubSubTarget.of(resource as WebPubsub);
    grantOn(s, target, make === "signalR" ? Roles.SignalRAppServer : Roles.WebPubSubServiceOwner);
    return findings(s, "IG028").map((f) => f.message.split(", but the service ")[1]);
  };
  describe.each(["signalR", "webPubSub"] as const)("%s with local auth off", (make) => {
    it.each([false, "false", 0, "${var.aad}"])("flags aad_auth_enabled = %j as refusing Entra tokens", (value) => {
      expect(entra(testStack(), make, value)).toEqual([
        "does not accept Microsoft Entra tokens, so the role grants nothing",
      ]);
    });
    it.each([undefined, true, "true"])("accepts aad_auth_enabled = %j", (value) => {
      expect(entra(testStack(), make, value)).toEqual([]);
    });
  });
});
