// The create form's fields as createApiTokenInput reads them (used by the browser, to check before sending, and by the
// server action): scope checkboxes → an array, the expiry select → days or null ("never").
export type TokenFormState = { ok: true; token: string; name: string } | { ok: false; fieldErrors: Record<string, string> };

export function tokenFormFields(data: FormData): { name: unknown; scopes: unknown; expiresInDays: unknown } {
  const expiry = data.get("expiresInDays");
  return {
    name: data.get("name") ?? "",
    scopes: data.getAll("scopes"),
    expiresInDays: expiry === "never" ? null : Number(expiry),
  };
}
