import { adminProcedure, createTRPCRouter } from "../../trpc";
import { listAuditHandler } from "./list.handler";
import { listAuditInput } from "./list.schema";

export const auditRouter = createTRPCRouter({
  // Admins only: sign-in attempts carry emails and addresses.
  list: adminProcedure.input(listAuditInput).query(listAuditHandler),
});
