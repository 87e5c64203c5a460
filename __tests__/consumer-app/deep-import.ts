// The package exports its entry point only: internals cannot be imported, even by path.
// @ts-expect-error the grant internals are not part of the public API.
import { grantRole } from "@contoso-platform/azure-identity-grants/dist/grant";

export const internal: unknown = grantRole;
