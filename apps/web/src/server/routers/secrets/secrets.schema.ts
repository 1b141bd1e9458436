import { z } from "zod";
import { tenantInput } from "../../trpc";

/** Where a secret lives: the whole tenant, one repository, or one environment of a repository (highest wins). */
export const secretScopeInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("tenant") }),
  z.object({ kind: z.literal("repository"), repository: z.string().min(1).max(200) }),
  z.object({ kind: z.literal("environment"), repository: z.string().min(1).max(200), environment: z.string().min(1).max(255) }),
]);
export type SecretScopeInput = z.infer<typeof secretScopeInput>;

/** GitHub's rules for secret and variable names: letters, digits and underscores, not starting with a digit or GITHUB_. */
export function configurationName(what: "secret" | "variable") {
  return z
    .string()
    .trim()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, `A ${what} name is letters, digits and _ and does not start with a digit.`)
    .max(200)
    .refine((name) => !name.toUpperCase().startsWith("GITHUB_"), `${what === "secret" ? "Secret" : "Variable"} names may not start with GITHUB_.`);
}
// Values up to 48 KB, as on GitHub.
export const secretName = configurationName("secret");
export const MAX_SECRET_BYTES = 48 * 1024;

export const listSecretsInput = tenantInput.extend({ scope: secretScopeInput });
export const setSecretInput = tenantInput.extend({
  scope: secretScopeInput,
  name: secretName,
  value: z.string().min(1, "A secret needs a value.").refine((value) => Buffer.byteLength(value) <= MAX_SECRET_BYTES, `A secret is at most ${MAX_SECRET_BYTES} bytes.`),
});
export const deleteSecretInput = tenantInput.extend({ scope: secretScopeInput, name: secretName });
export type ListSecretsInput = z.infer<typeof listSecretsInput>;
export type SetSecretInput = z.infer<typeof setSecretInput>;
export type DeleteSecretInput = z.infer<typeof deleteSecretInput>;
