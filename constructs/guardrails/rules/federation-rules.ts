import { EstateModel, FederatedCredential, parseReference } from "../../estate/estate-model";
import { GITHUB_ACTIONS_ISSUER } from "../../azure/identity";
import { serviceTerraformType } from "../../azure/contract/resource-types";
import { hit, Rule, RuleContext, RuleHit } from "./rule";

function isWildcardSubject(subject: string): boolean {
  return /[*?]/.test(subject) || subject.trim() === "";
}

/** An issuer that is the oidc_issuer_url of an AKS cluster of this stack. */
function isStackClusterIssuer(estate: EstateModel, issuer: string): boolean {
  const reference = parseReference(issuer);
  return (
    reference?.attribute === ".oidc_issuer_url" &&
    estate.byAddress.get(reference.address)?.type === serviceTerraformType("Kubernetes Service", "cluster")
  );
}

function trustsKnownIssuer(estate: EstateModel, credential: FederatedCredential, context: RuleContext): boolean {
  const { issuer } = credential;
  return (
    isStackClusterIssuer(estate, issuer) || issuer === GITHUB_ACTIONS_ISSUER || context.knownIssuers.includes(issuer)
  );
}

export const federatedTrustRule: Rule = {
  id: "IG018",
  name: "federated-trust",
  description: "A federated credential must trust one known issuer for exactly one subject.",
  defaultSeverity: "error",
  check(estate, context) {
    const hits: RuleHit[] = [];
    for (const f of estate.federated) {
      if (isWildcardSubject(f.subject)) {
        hits.push(
          hit(
            f.resource,
            `federated subject ${JSON.stringify(f.subject)} is a wildcard`,
            "name exactly one repository and environment, or one namespace and service account",
          ),
        );
      }
      if (!trustsKnownIssuer(estate, f, context)) {
        hits.push(
          hit(
            f.resource,
            `federated issuer ${JSON.stringify(f.issuer)} is not one this estate trusts`,
            `use ${GITHUB_ACTIONS_ISSUER} or a cluster's oidc_issuer_url, or list the issuer in the guardrail settings`,
          ),
        );
      }
    }
    return hits;
  },
};
