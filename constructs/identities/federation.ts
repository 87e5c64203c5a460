import { Construct } from "constructs";
import { Token } from "cdktf";
import { FederatedIdentityCredential } from "@cdktf/provider-azurerm/lib/federated-identity-credential";
import { IdentityConfigError } from "../core/errors";
import { GITHUB_ACTIONS_ISSUER, IUserAssignedIdentity } from "../azure/identity";
import { nameRuleFor } from "../azure/contract/resource-types";
import { ResourceTypes } from "../services/resource-types";

const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

export interface FederatedTrustProps {
  readonly identity: IUserAssignedIdentity;
  /** The token issuer: GitHub's, or an AKS cluster's `oidc_issuer_url`. */
  readonly issuer: string;
  /** Exactly one workload: one repository and environment, or one namespace and service account. */
  readonly subject: string;
  readonly name: string;
}

/**
 * A federated credential: the identity trusts tokens from one issuer for one subject, so a
 * pipeline or a pod gets Azure tokens with no stored secret. Wildcards are refused: a subject
 * names exactly one workload, or anything matching it could act as the identity.
 */
export class FederatedTrust extends Construct {
  readonly credential: FederatedIdentityCredential;

  constructor(scope: Construct, id: string, props: FederatedTrustProps) {
    super(scope, id);
    const refuse = (problem: string, value: string, fix: string): never => {
      throw new IdentityConfigError(this, { problem, value, fix });
    };
    if (!Token.isUnresolved(props.issuer) && !/^https:\/\/[^\s*]+$/.test(props.issuer)) {
      refuse(
        "Federated credential issuer must be an https URL",
        props.issuer,
        `use the issuer that signs the workload's tokens, e.g. ${GITHUB_ACTIONS_ISSUER} or the cluster's oidc_issuer_url`,
      );
    }
    if (!Token.isUnresolved(props.subject) && (props.subject.trim() === "" || /[*?]/.test(props.subject))) {
      refuse(
        "Federated credential subject must name exactly one workload, without wildcards",
        props.subject,
        "name one repository and environment (repo:org/repo:environment:prod) or one namespace and service account",
      );
    }
    const credentialName = nameRuleFor(ResourceTypes.federatedIdentityCredential.azureType)!;
    if (!credentialName.test(props.name)) {
      refuse("Federated credential name breaks Azure's naming rule", props.name, `use ${credentialName.rule}`);
    }
    this.credential = new FederatedIdentityCredential(this, "credential", {
      name: props.name,
      resourceGroupName: props.identity.principalResourceId.resourceGroup,
      parentId: props.identity.id,
      issuer: props.issuer,
      subject: props.subject,
      audience: [TOKEN_EXCHANGE_AUDIENCE],
    });
    // azurerm 4.65 renamed parent_id to user_assigned_identity_id and deprecated it and
    // resource_group_name (gone in 5.0); both are Optional and Computed there, so switching keeps
    // the credential. Bindings that have the new name (CDK Terrain's) write it.
    if (hasRenamedParent(this.credential)) {
      this.credential.userAssignedIdentityId = props.identity.id;
      this.credential.resetParentId();
      this.credential.resetResourceGroupName();
    }
  }
}

interface RenamedParent {
  userAssignedIdentityId: string;
  resetParentId(): void;
  resetResourceGroupName(): void;
}

const hasRenamedParent = (credential: object): credential is RenamedParent =>
  "userAssignedIdentityId" in credential && "resetParentId" in credential && "resetResourceGroupName" in credential;

/** GitHub Actions subjects. Only environments: a branch-wide trust lets any workflow on the branch deploy. */
export const GitHubSubject = {
  environment(where: Construct | string, repository: string, environment: string): string {
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
      throw new IdentityConfigError(where, {
        problem: "GitHub repository must be owner/name",
        value: repository,
        fix: "name exactly one repository, e.g. contoso/identity-platform",
      });
    }
    return `repo:${repository}:environment:${environment}`;
  },
};
