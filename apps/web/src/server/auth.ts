// Sign-in (next-auth v4, JWT sessions): email + password against User.passwordHash, and GitHub through the GitHub
// App's own OAuth client (github/sign-in.ts; a separate OAuth app's GITHUB_CLIENT_ID/SECRET when the App has none).
// At a GitHub sign-in the App's installer becomes admin of the tenants its installations made that have none
// (github/installer-admin.ts). The session carries our User.id; everything else is looked up per request.
// Password sign-in is rate limited (sign-in/rate-limit.ts), re-hashes older hashes, and audits every attempt.
import { AUDIT_ACTIONS, hashPassword, needsRehash, randomId, recordAudit, verifyPassword, type AuditRecord, type Database } from "@gantry/db";
import { getServerSession, type NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import type { Redis } from "ioredis";
import type { GithubAppCredentials, GithubClient } from "@gantry/github";
import type { WebEnv } from "../env";
import { claimInstalledTenants } from "./github/installer-admin";
import { joinTenantsAtGithubSignIn } from "./github/join-tenants";
import { githubSignInClient, githubSignInProvider, verifiedGithubEmails } from "./github/sign-in";
import { clientIp, headerLookup } from "./http/client-ip";
import { getServices } from "./services";
import { SignInRateLimiter } from "./sign-in/rate-limit";

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
  /** GitHub's numeric user id (absent only from profiles of old tests; a real sign-in always has it). */
  id: z.number().int().positive().optional(),
  login: z.string(),
  email: z.string().nullish(),
  name: z.string().nullish(),
});

// Checked against when the email is unknown, so that a wrong email costs as long as a wrong password and the
// response time does not tell which accounts exist.
let decoyHash: Promise<string> | undefined;

/** A password sign-in refused by the rate limiter; next-auth hands its message to the sign-in form. */
export class SignInRateLimitedError extends Error {
  override name = "SignInRateLimitedError";
}

/** Where an attempt comes from and the limiter that judges it. */
export interface SignInAttempt {
  limiter: SignInRateLimiter;
  ip: string;
}

type FailureReason = "invalid_input" | "unknown_account" | "no_password" | "wrong_password";

/** One audit row per tenant the account belongs to (their admins read them); none: a platform event. */
async function auditSignIn(database: Database, action: AuditRecord["action"], attempt: SignInAttempt, email: string, user: { id: string; tenantIds: string[] } | null, details: Record<string, string> = {}): Promise<void> {
  const tenants = user && user.tenantIds.length > 0 ? user.tenantIds : [null];
  await recordAudit(
    database,
    ...tenants.map((tenantId) => ({
      tenantId,
      actor: { kind: "USER" as const, id: user?.id ?? null },
      action,
      target: { type: "User", id: user?.id ?? email },
      details: { email, method: "password", ...details },
      ip: attempt.ip,
    })),
  );
}

/**
 * The user for an email and password, or null (wrong password, unknown email, GitHub-only account). Throws
 * SignInRateLimitedError, before any password is checked, when the account or the address is over its limit.
 */
export async function authorizeCredentials(database: Database, raw: unknown, attempt: SignInAttempt): Promise<SessionUser | null> {
  const parsed = credentialsInput.safeParse(raw);
  if (!parsed.success) {
    const tried = typeof raw === "object" && raw !== null && "email" in raw && typeof raw.email === "string" ? raw.email.slice(0, 320) : "";
    await auditSignIn(database, AUDIT_ACTIONS.signInFailed, attempt, tried, null, { reason: "invalid_input" satisfies FailureReason });
    return null;
  }
  const { email, password } = parsed.data;
  const user = await database.system("sign-in: find the user by email").user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, passwordHash: true, memberships: { select: { tenantId: true } } },
  });
  const account = user ? { id: user.id, tenantIds: user.memberships.map((membership) => membership.tenantId) } : null;

  const verdict = await attempt.limiter.check(email, attempt.ip);
  if (verdict.limited) {
    await auditSignIn(database, AUDIT_ACTIONS.signInRateLimited, attempt, email, account, { scope: verdict.scope });
    throw new SignInRateLimitedError(verdict.message);
  }

  decoyHash ??= hashPassword("decoy password nobody has");
  const matches = await verifyPassword(password, user?.passwordHash ?? (await decoyHash));
  if (!user?.passwordHash || !matches) {
    await attempt.limiter.recordFailure(email, attempt.ip);
    const reason: FailureReason = !user ? "unknown_account" : !user.passwordHash ? "no_password" : "wrong_password";
    await auditSignIn(database, AUDIT_ACTIONS.signInFailed, attempt, email, account, { reason });
    return null;
  }
  await attempt.limiter.recordSuccess(email, attempt.ip);
  if (needsRehash(user.passwordHash)) {
    // Conditional on the old hash: a password changed meanwhile is not overwritten with this one.
    const rehashed = await database
      .system("sign-in: upgrade the password hash to today's parameters")
      .user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash: await hashPassword(password) } });
    if (rehashed.count > 0) await auditSignIn(database, AUDIT_ACTIONS.passwordRehashed, attempt, email, account);
  }
  await auditSignIn(database, AUDIT_ACTIONS.signInSucceeded, attempt, email, account);
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
  const { login, id: githubId } = profile.data;
  // The account is GitHub's id when known: a login can be renamed, and a freed login taken by someone else.
  if (githubId !== undefined) {
    const byId = await users.findUnique({ where: { githubId: BigInt(githubId) }, select: { id: true, githubLogin: true } });
    if (byId) {
      if (byId.githubLogin !== login) {
        await users.updateMany({ where: { githubLogin: login, NOT: { id: byId.id } }, data: { githubLogin: null } });
        await users.update({ where: { id: byId.id }, data: { githubLogin: login } });
      }
      return byId.id;
    }
  }
  const existing = await users.findUnique({ where: { githubLogin: login }, select: { id: true, githubId: true } });
  if (existing && (existing.githubId === null || githubId === undefined)) {
    // An account from before ids were kept: it is this GitHub user's from now on.
    if (githubId !== undefined) await users.update({ where: { id: existing.id }, data: { githubId: BigInt(githubId) } });
    return existing.id;
  }
  // The login belonged to another GitHub account (renamed since): that user keeps its account, not the login.
  if (existing) await users.update({ where: { id: existing.id }, data: { githubLogin: null } });
  const email = profile.data.email?.toLowerCase();
  const emailTaken = email ? await users.findUnique({ where: { email }, select: { id: true } }) : null;
  const created = await users.create({
    data: {
      id: randomId("usr"),
      githubLogin: login,
      ...(githubId !== undefined ? { githubId: BigInt(githubId) } : {}),
      // GitHub's own noreply form, `<id>+<login>@…`, is unique even when a login is reused.
      email: email && !emailTaken ? email : `${githubId !== undefined ? `${githubId}+` : ""}${login.toLowerCase()}@users.noreply.github.com`,
      name: profile.data.name ?? login,
    },
    select: { id: true },
  });
  return created.id;
}

/** GitHub verified who it is; next-auth's jwt callback has no request, so no address is recorded. */
async function auditGitHubSignIn(database: Database, userId: string): Promise<void> {
  const user = await database.system("sign-in with GitHub: the user's tenants, for the audit log").user.findUnique({ where: { id: userId }, select: { email: true, githubLogin: true, memberships: { select: { tenantId: true } } } });
  const tenants = user && user.memberships.length > 0 ? user.memberships.map((membership) => membership.tenantId) : [null];
  await recordAudit(
    database,
    ...tenants.map((tenantId) => ({ tenantId, actor: { kind: "USER" as const, id: userId }, action: AUDIT_ACTIONS.signInSucceeded, target: { type: "User", id: userId }, details: { email: user?.email ?? "", method: "github", githubLogin: user?.githubLogin ?? "" } })),
  );
}

/** The password sign-in limits of this deployment; the sign-in form and the CLI's password exchange share them. */
export function signInLimiter(env: WebEnv, redis: Redis): SignInRateLimiter {
  return new SignInRateLimiter(redis, env.GANTRY_QUEUE_PREFIX, {
    maxFailuresPerAccount: env.GANTRY_SIGNIN_MAX_FAILURES,
    maxFailuresPerIp: env.GANTRY_SIGNIN_MAX_FAILURES_PER_IP,
    windowSeconds: env.GANTRY_SIGNIN_WINDOW_SECONDS,
  });
}

/**
 * `githubApp`: the GitHub App now (its OAuth client signs users in with GitHub); null or omitted: none. `github`: the
 * App's API client, for the organisation joins at GitHub sign-in (github/join-tenants.ts); omitted: none.
 */
export function buildAuthOptions(env: WebEnv, database: Database, redis: Redis, githubApp: GithubAppCredentials | null = null, github: () => GithubClient | null = () => null): NextAuthOptions {
  const githubClient = githubSignInClient(env, githubApp);
  const limiter = signInLimiter(env, redis);
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
        authorize: async (credentials, req) => {
          const ip = clientIp(headerLookup(req.headers), env.GANTRY_TRUST_PROXY);
          const user = await authorizeCredentials(database, credentials, { limiter, ip });
          return user ? { id: user.userId, email: user.email, name: user.name } : null;
        },
      }),
      ...(githubClient ? [githubSignInProvider(githubClient)] : []),
    ],
    callbacks: {
      jwt: async ({ token, user, account, profile }) => {
        if (account?.provider === "github") {
          const userId = await userForGitHub(database, profile);
          if (userId) {
            token.userId = userId;
            // The App's installer becomes the admin of the tenants its installations made (none had one).
            const githubId = githubProfile.safeParse(profile).data?.id;
            if (githubId !== undefined) await claimInstalledTenants(database, { userId, githubId });
            // Open invitations for this GitHub login or a verified email, and the organisation joins tenants allow.
            const login = githubProfile.safeParse(profile).data?.login;
            if (login && githubClient) {
              // Unreachable: no email matches this time; the sign-in and the login's invitations go on.
              const verifiedEmails = account.access_token ? await verifiedGithubEmails(githubClient.apiUrl, account.access_token).catch(() => []) : [];
              await joinTenantsAtGithubSignIn(database, github(), { userId, githubLogin: login, verifiedEmails });
            }
            await auditGitHubSignIn(database, userId);
          }
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
  const services = getServices();
  return buildAuthOptions(services.env, services.database, services.redis, services.githubApp.current(), () => services.githubClient());
}

/** The signed-in user for a server component or route handler, or null. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions());
  if (!session?.userId) return null;
  return { userId: session.userId, email: session.user?.email ?? "", name: session.user?.name ?? "" };
}
