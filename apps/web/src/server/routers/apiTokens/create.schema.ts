import { z } from "zod";
import { apiScope } from "../../api-tokens/scopes";

export const TOKEN_EXPIRY_DAYS = [7, 30, 90, 365] as const;

/** A new personal API token; the dashboard's form and the CLI's password exchange read the same fields. */
export const createApiTokenInput = z.object({
  name: z.string().trim().min(1, "Give the token a name, e.g. what will use it.").max(100, "A token name is at most 100 characters."),
  scopes: z.array(apiScope).min(1, "Choose at least one scope.").max(3),
  /** Days until it stops working; null: it never expires (until revoked). */
  expiresInDays: z.number().int().min(1, "A token lives at least a day.").max(366, "A token lives at most 366 days; choose no expiry for longer.").nullable(),
});
export type CreateApiTokenInput = z.infer<typeof createApiTokenInput>;
