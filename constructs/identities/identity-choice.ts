import { Construct } from "constructs";
import { IUserAssignedIdentity } from "../azure/identity";
import { UserAssignedIdentity, UserAssignedIdentityProps } from "./user-assigned-identity";
import type { ConversionPhase, MigrationTerms } from "../policy/migration-record";

/** The compute's own identity: each compute (and each slot) gets a principal, deleted with it. */
export interface SystemAssignedChoice {
  readonly type: "SystemAssigned";
}

/** A user-assigned identity: one made elsewhere, or the settings of one to create here. */
export type UserAssignedIdentityChoice =
  | { readonly type: "UserAssigned"; readonly identity: IUserAssignedIdentity }
  | { readonly type: "NewUserAssigned"; readonly props: UserAssignedIdentityProps };

/**
 * Which identity something runs as, everywhere in the library. Where only a user-assigned identity
 * works (an AKS control plane or kubelet, a pod, a pipeline, a Functions host), the property takes
 * `UserAssignedIdentityChoice`, and `Identity.systemAssigned()` there is a type error.
 */
export type IdentityChoice = SystemAssignedChoice | UserAssignedIdentityChoice | ConversionChoice;

/**
 * A compute moving from its system-assigned identity to a user-assigned one, one phase per change:
 * in `both` it carries the two (each holding every grant, the code told the new client id); in
 * `user-assigned` the system identity and its grants are gone. Then replace the choice with `to`.
 */
export interface ConversionChoice {
  readonly type: "Converting";
  readonly to: UserAssignedIdentityChoice;
  readonly terms: MigrationTerms<ConversionPhase>;
}

export const Identity = {
  /** Each compute (and each slot) gets its own principal, deleted with it. */
  systemAssigned: (): SystemAssignedChoice => ({ type: "SystemAssigned" }),
  /** Share an identity made elsewhere (another workload's, or an existing one by id). */
  userAssigned: (identity: IUserAssignedIdentity): UserAssignedIdentityChoice => ({ type: "UserAssigned", identity }),
  /** Create a user-assigned identity here, shared by everything that is given it. */
  newUserAssigned: (props: UserAssignedIdentityProps): UserAssignedIdentityChoice => ({
    type: "NewUserAssigned",
    props,
  }),
  /** Convert the computes' system-assigned identities to `to`, as a migration (see ConversionChoice). */
  convertToUserAssigned: (
    to: UserAssignedIdentityChoice,
    terms: MigrationTerms<ConversionPhase>,
  ): ConversionChoice => ({
    type: "Converting",
    to,
    terms,
  }),
};

/** The identity chosen: the one given, or a new one created under `scope` as `id`. */
export function userAssignedIdentityOf(
  scope: Construct,
  id: string,
  choice: UserAssignedIdentityChoice,
): IUserAssignedIdentity {
  return choice.type === "UserAssigned" ? choice.identity : new UserAssignedIdentity(scope, id, choice.props);
}
