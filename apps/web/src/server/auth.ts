// Sign-in (next-auth v4, JWT sessions): email + password against User.passwordHash, and GitHub when
// GITHUB_CLIENT_ID/SECRET are set. The session carries our User.id; everything else is looked up per request.
import { hashPassword, randomId, verifyPassword, type Database } from "@gantry/db";
import { getServerSession, type NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import { z } from "zod";
import type { WebEnv } from "../env";
import { getServices } from "./services";

/** Who is signed in, as the tRPC context and pages see it. */
export interface SessionUser {
  userId: string;
  email: string;
  name: string;
}

const credentialsInput = z.object({
  email: z.string().trim().toLowerCase().email(),
  password: z.string().min(1).max(1024),
});

const githubProfile = z.object({
  login: z.string(),
  email: z.string().nullish(),
  name: z.string().nullish(),
});

// Checked against when the email is unknown, so that a wrong email costs as long as a wrong password and the
// response time does not tell which accounts exist.
let decoyHash: Promise<string> | undefined;

/** The user for an email and password, or null (wrong password, unknown email, GitHub-only account). */
export async function authorizeCredentials(database: Database, raw: unknown): Promise<SessionUser | null> {
  const parsed = credentialsInput.safeParse(raw);
  if (!parsed.success) return null;
  const user = await database.system("sign-in: find the user by email").user.findUnique({
    where: { email: parsed.data.email },
    select: { id: true, email: true, name: true, passwordHash: true },
  });
  decoyHash ??= hashPassword("decoy password nobody has");
  const matches = await verifyPassword(parsed.data.password, user?.passwordHash ?? (await decoyHash));
  if (!user?.passwordHash || !matches) return null;
  return { userId: user.id, email: user.email, name: user.name };
}

/**
 * The Gantry user behind a GitHub login, created on first sign-in (with no memberships until invited). An
 * existing account is never taken over by a GitHub profile that shows the same email: GitHub does not promise
 * that email is verified, so the new user gets GitHub's noreply address instead.
 */
export async function userForGitHub(database: Database, rawProfile: unknown): Promise<string | null> {
  const profile = githubProfile.safeParse(rawProfile);
  if (!profile.success) return null;
  const users = database.system("sign-in with GitHub: find or create the user").user;
  const { login } = profile.data;
  const existing = await users.findUnique({ where: { githubLogin: login }, select: { id: true } });
  if (existing) return existing.id;
  const email = profile.data.email?.toLowerCase();
  const emailTaken = email ? await users.findUnique({ where: { email }, select: { id: true } }) : null;
  const created = await users.create({
    data: {
      id: randomId("usr"),
      githubLogin: login,
      email: email && !emailTaken ? email : `${login.toLowerCase()}@users.noreply.github.com`,
      name: profile.data.name ?? login,
    },
    select: { id: true },
  });
  return created.id;
}

export function buildAuthOptions(env: WebEnv, database: Database): NextAuthOptions {
  return {
    secret: env.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 7 * 24 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: {
          email: { label: "Email", type: "email" },
          password: { label: "Password", type: "password" },
        },
        authorize: async (credentials) => {
          const user = await authorizeCredentials(database, credentials);
          return user ? { id: user.userId, email: user.email, name: user.name } : null;
        },
      }),
      ...(env.github
        ? [GitHubProvider({ clientId: env.github.clientId, clientSecret: env.github.clientSecret })]
        : []),
    ],
    callbacks: {
      jwt: async ({ token, user, account, profile }) => {
        if (account?.provider === "github") {
          const userId = await userForGitHub(database, profile);
          if (userId) token.userId = userId;
        } else if (user) {
          token.userId = user.id;
        }
        return token;
      },
      session: ({ session, token }) => (token.userId ? { ...session, userId: token.userId } : session),
    },
  };
}

/** The options for this process (env and database from getServices()). */
export function authOptions(): NextAuthOptions {
  const { env, database } = getServices();
  return buildAuthOptions(env, database);
}

/** The signed-in user for a server component or route handler, or null. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions());
  if (!session?.userId) return null;
  return { userId: session.userId, email: session.user?.email ?? "", name: session.user?.name ?? "" };
}
