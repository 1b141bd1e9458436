import { TRPCError } from "@trpc/server";
import { MembershipChangeError } from "../../members/membership-change";

/** A refused membership change as the client sees it: NOT_FOUND for a non-member, PRECONDITION_FAILED for the last admin. */
export function membershipChangeError(error: unknown): never {
  if (error instanceof MembershipChangeError) throw new TRPCError({ code: error.reason === "not_a_member" ? "NOT_FOUND" : "PRECONDITION_FAILED", message: error.message, cause: error });
  throw error;
}
