import { EstateModel, TfResource } from "../../estate/estate-model";
import { findSecrets } from "../secret-scan";
import { hit, Rule } from "./rule";

/** Where each address carries secrets (`<where> (<what>)`), addresses in the order they are first found. */
function secretsByAddress(estate: EstateModel): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const secret of findSecrets(estate.json)) {
    found.set(secret.address, [...(found.get(secret.address) ?? []), `${secret.where} (${secret.what})`]);
  }
  return found;
}

/** The resource at an address, or a stand-in for a block that is none (an output, a local, a provider...). */
function resourceAt(estate: EstateModel, address: string): TfResource {
  return estate.byAddress.get(address) ?? { address, type: address.split(".")[0], path: address, config: {} };
}

export const secretInOutputRule: Rule = {
  id: "IG019",
  name: "secret-in-output",
  description:
    "Keys, tokens, passwords and connection strings anywhere in the output: the secrets managed identities replace.",
  defaultSeverity: "error",
  check(estate) {
    return [...secretsByAddress(estate)].map(([address, where]) =>
      hit(
        resourceAt(estate, address),
        `${address} carries secrets in ${where.join(", ")}`,
        "connect through the identity (endpoint-only settings), or reference a Key Vault secret; never output a key",
      ),
    );
  },
};
