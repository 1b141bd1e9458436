// Our session shape on top of next-auth's: the signed-in Gantry user's id (User.id), put there by the
// jwt and session callbacks in src/server/auth.ts.
import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    /** Absent when the token carries no Gantry user (e.g. a GitHub login that could not be mapped). */
    userId?: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    userId?: string;
  }
}
