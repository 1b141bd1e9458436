import { adminProcedure, authedProcedure, createTRPCRouter, viewerProcedure } from "../../trpc";
import { listTenantsHandler } from "./list.handler";
import { tenantSettingsHandler } from "./settings.handler";
import { tenantSettingsInput } from "./settings.schema";
import { updateTenantSettingsHandler } from "./updateSettings.handler";
import { updateTenantSettingsInput } from "./updateSettings.schema";

export const tenantsRouter = createTRPCRouter({
  list: authedProcedure.query(listTenantsHandler),
  settings: viewerProcedure.input(tenantSettingsInput).query(tenantSettingsHandler),
  updateSettings: adminProcedure.input(updateTenantSettingsInput).mutation(updateTenantSettingsHandler),
});
