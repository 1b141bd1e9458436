import { tenantInput } from "../../trpc";

export const tenantSettingsInput = tenantInput;
