// Password sign-in rate limits (issue #13 item 6a), in Redis so every web replica shares them: failures are counted
// per (account, client address) and per client address, each in a fixed window that starts at its first failure.
// A limited attempt is refused before the password is checked (no scrypt work, no oracle); a success clears the
// account's counter for that address. Losing Redis loses only the counts (DESIGN.md invariant 2).
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export interface SignInLimits {
  /** Failures allowed per account and address within the window (OWASP: a handful). */
  maxFailuresPerAccount: number;
  /** Failures allowed per address, whatever the account (password spraying from one place). */
  maxFailuresPerIp: number;
  windowSeconds: number;
}

export type SignInVerdict = { limited: false } | { limited: true; scope: "account" | "ip"; retryAfterSeconds: number; message: string };

// `{signin}` is a hash tag: both counters of one attempt live in one Redis Cluster slot (one MULTI).
const accountKey = (prefix: string, email: string, ip: string) => `${prefix}:{signin}:fail:account:${createHash("sha256").update(email).digest("hex").slice(0, 32)}:${ip}`;
const ipKey = (prefix: string, ip: string) => `${prefix}:{signin}:fail:ip:${ip}`;

function minutes(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds / 60));
  return `${whole} minute${whole === 1 ? "" : "s"}`;
}

export class SignInRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly limits: SignInLimits,
  ) {}

  /** Whether this attempt may check a password at all. */
  async check(email: string, ip: string): Promise<SignInVerdict> {
    const account = accountKey(this.prefix, email, ip);
    const address = ipKey(this.prefix, ip);
    const replies = await this.redis.multi().get(account).ttl(account).get(address).ttl(address).exec();
    const [accountCount, accountTtl, ipCount, ipTtl] = (replies ?? []).map(([, value]) => Number(value ?? 0));
    const retry = (ttl: number | undefined) => (ttl && ttl > 0 ? ttl : this.limits.windowSeconds);
    if ((ipCount ?? 0) >= this.limits.maxFailuresPerIp) {
      const seconds = retry(ipTtl);
      return { limited: true, scope: "ip", retryAfterSeconds: seconds, message: `Too many failed sign-ins from your address. Try again in ${minutes(seconds)}.` };
    }
    if ((accountCount ?? 0) >= this.limits.maxFailuresPerAccount) {
      const seconds = retry(accountTtl);
      return { limited: true, scope: "account", retryAfterSeconds: seconds, message: `Too many failed sign-ins for this account from your address. Try again in ${minutes(seconds)}.` };
    }
    return { limited: false };
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const account = accountKey(this.prefix, email, ip);
    const address = ipKey(this.prefix, ip);
    // EXPIRE NX: the window starts at the first failure and is not pushed back by later ones.
    await this.redis.multi().incr(account).expire(account, this.limits.windowSeconds, "NX").incr(address).expire(address, this.limits.windowSeconds, "NX").exec();
  }

  async recordSuccess(email: string, ip: string): Promise<void> {
    await this.redis.del(accountKey(this.prefix, email, ip));
  }
}
