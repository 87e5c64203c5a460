import { EstateModel, TfResource } from "../../estate/estate-model";
import { findSecrets } from "../secret-scan";
import { hit, Rule } from "./rule";
import { acceptedSecret } from "./migration-rules";

/**
 * Where each address carries secrets (`<where> (<what>)`), addresses in the order they are first
 * found; apart, the secret settings a migration in `dual` accepts, each on its own.
 */
function secretsByAddress(estate: EstateModel, today: string) {
  const found = new Map<string, string[]>();
  const accepted: { address: string; where: string; by: NonNullable<ReturnType<typeof acceptedSecret>> }[] = [];
  for (const secret of findSecrets(estate.json)) {
    const by = acceptedSecret(estate, secret.address, secret.where, today);
    if (by) accepted.push({ address: secret.address, where: `${secret.where} (${secret.what})`, by });
    else found.set(secret.address, [...(found.get(secret.address) ?? []), `${secret.where} (${secret.what})`]);
  }
  return { found, accepted };
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
  check(estate, { today }) {
    const { found, accepted } = secretsByAddress(estate, today);
    const fix =
      "connect through the identity (endpoint-only settings), or reference a Key Vault secret; never output a key";
    return [
      ...[...found].map(([address, where]) =>
        hit(resourceAt(estate, address), `${address} carries secrets in ${where.join(", ")}`, fix),
      ),
      ...accepted.map(({ address, where, by }) => ({
        ...hit(resourceAt(estate, address), `${address} carries the secret being migrated in ${where}`, fix),
        acceptedBy: by,
      })),
    ];
  },
};
