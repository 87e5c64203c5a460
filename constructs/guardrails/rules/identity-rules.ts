import { roleKey } from "../../azure/role-catalog";
import { serviceTerraformType } from "../../azure/contract/resource-types";
import { Compute, EstateModel, TfResource } from "../../estate/estate-model";
import { hit, hitsWhere, Rule, RuleHit } from "./rule";

function grantsOf(estate: EstateModel, principalKey: string) {
  return estate.assignments.filter((a) => a.principal.key === principalKey);
}

function holdsNoRole(estate: EstateModel, principalKey: string): boolean {
  return grantsOf(estate, principalKey).length === 0;
}

/** The principal key of a compute's system-assigned identity. */
function systemIdentityKey(compute: Compute): string {
  return `${compute.resource.address}#system`;
}

function isUnusedWithGrants(estate: EstateModel, identity: TfResource): boolean {
  return !estate.usedIdentities.has(identity.address) && grantsOf(estate, identity.address).length > 0;
}

function hasAmbiguousDefaultIdentity(c: Compute): boolean {
  return c.userAssigned.length > 1 && c.settings !== undefined && !c.settings.every((s) => s.AZURE_CLIENT_ID);
}

/** The identities a compute carries, as comparable text. */
function identitiesOf(c: Compute): string {
  return [c.systemAssigned, [...c.userAssigned].sort().join(",")].join("|");
}

/** The (scope, role) pairs a principal holds, as comparable text. */
function grantSetOf(estate: EstateModel, principalKey: string): string {
  return grantsOf(estate, principalKey)
    .map((a) => `${a.scope.raw}|${a.role ? roleKey(a.role) : a.roleWritten}`)
    .sort()
    .join(";");
}

function slotMatchesApp(estate: EstateModel, slot: Compute, app: Compute): boolean {
  const sameGrants =
    !slot.systemAssigned || grantSetOf(estate, systemIdentityKey(slot)) === grantSetOf(estate, systemIdentityKey(app));
  return identitiesOf(slot) === identitiesOf(app) && sameGrants;
}

/** The workloads (a compute's first construct below the stack) that carry the identity. */
function workloadsCarrying(estate: EstateModel, identity: TfResource): Set<string> {
  const carriers = estate.computes.filter((c) => c.userAssigned.includes(identity.address));
  return new Set(carriers.map((c) => c.resource.path.split("/")[1]));
}

/** The workloads that asked for the identity's grants, from their descriptions. */
function workloadsGranted(estate: EstateModel, identity: TfResource): Set<string> {
  return new Set(grantsOf(estate, identity.address).map((a) => a.workload ?? ""));
}

const listed = (names: Set<string>) => [...names].sort().join(", ");

export const identityWithoutGrantsRule: Rule = {
  id: "IG013",
  name: "identity-without-grants",
  description:
    "An identity attached to compute but granted nothing: it looks like success right up until the first 403.",
  defaultSeverity: "error",
  check(estate) {
    const hits: RuleHit[] = [];
    const clusterType = serviceTerraformType("Kubernetes Service", "cluster");
    for (const c of estate.computes) {
      // AKS uses its own identities for itself; grants for pods go through workload identity.
      if (c.resource.type === clusterType) continue;
      if (c.systemAssigned && holdsNoRole(estate, systemIdentityKey(c))) {
        hits.push(
          hit(
            c.resource,
            `${c.resource.address} has a system-assigned identity that holds no role`,
            "grant it the data role it needs on the exact target, or turn the identity off",
          ),
        );
      }
      for (const uami of c.userAssigned) {
        if (estate.byAddress.has(uami) && holdsNoRole(estate, uami)) {
          hits.push(
            hit(
              c.resource,
              `${c.resource.address} carries ${uami}, which holds no role`,
              "grant the identity the data role the workload needs, or detach it",
            ),
          );
        }
      }
    }
    return hits;
  },
};

export const standingAccessRule: Rule = {
  id: "IG014",
  name: "standing-access",
  description: "A user-assigned identity that holds roles but is attached to nothing is access nobody uses.",
  defaultSeverity: "error",
  check(estate) {
    return estate.identities
      .filter((i) => isUnusedWithGrants(estate, i))
      .map((i) =>
        hit(
          i,
          `${i.address} holds ${grantsOf(estate, i.address).length} role(s) but no resource uses it`,
          "attach it to the workload that needs the access, or remove it and its grants",
        ),
      );
  },
};

export const ambiguousDefaultIdentityRule: Rule = {
  id: "IG015",
  name: "ambiguous-default-identity",
  description: "With several user-assigned identities and no AZURE_CLIENT_ID, the SDK cannot tell which one to use.",
  defaultSeverity: "error",
  check(estate) {
    return hitsWhere(estate.computes, hasAmbiguousDefaultIdentity, (c) => [
      `${c.resource.address} carries ${c.userAssigned.length} user-assigned identities and no AZURE_CLIENT_ID`,
      "set AZURE_CLIENT_ID to the client id of the identity the code uses",
    ]);
  },
};

export const slotDiffersRule: Rule = {
  id: "IG016",
  name: "slot-differs",
  description: "A slot swaps into production: its identity and grants must match its app's.",
  defaultSeverity: "error",
  check(estate) {
    return estate.computes
      .filter((c) => c.parent)
      .flatMap((slot) => {
        const app = estate.computes.find((c) => c.resource === slot.parent)!;
        if (slotMatchesApp(estate, slot, app)) return [];
        return [
          hit(
            slot.resource,
            `slot ${slot.resource.address} does not carry the identities and grants of ${app.resource.address}`,
            "attach the same identities to the slot and grant its system-assigned identity what the app's holds",
          ),
        ];
      });
  },
};

export const sharedIdentityUnionRule: Rule = {
  id: "IG017",
  name: "shared-identity-union",
  description: "An identity shared by workloads with different needs gives each of them the union.",
  defaultSeverity: "error",
  check(estate) {
    return estate.identities.flatMap((i) => {
      const workloads = workloadsCarrying(estate, i);
      const declared = workloadsGranted(estate, i);
      if (workloads.size <= 1 || declared.size <= 1) return [];
      return [
        hit(
          i,
          `${i.address} is shared by ${listed(workloads)}, ` +
            `whose grants differ (${listed(declared)} asked): each holds all of them`,
          "give each workload its own identity, or share only between workloads with the same needs",
        ),
      ];
    });
  },
};
