import { z } from "zod";
import { priorityClassSchema } from "./priority";

const num = z.coerce.number();
/** A number inside a `|`-joined string field. */
const numText = z.coerce.number<string>();

const claimRowSchema = z.tuple([z.string(), z.string(), priorityClassSchema, num]);

/** claim: a flat array, four fields per claimed job. */
export const claimReplySchema = z
  .array(z.string())
  .refine((flat) => flat.length % 4 === 0, "claim reply is not a multiple of 4 fields")
  .transform((flat) => {
    const rows = [];
    for (let i = 0; i < flat.length; i += 4) {
      const [jobId, tenantId, priorityClass, enqueuedAtMs] = claimRowSchema.parse(flat.slice(i, i + 4));
      rows.push({ jobId, tenantId, priorityClass, enqueuedAtMs });
    }
    return rows;
  });

export const countReplySchema = num;

/** release: 1 or 0 per job id, in order. */
export const releaseReplySchema = z.array(z.union([z.literal(0), z.literal(1)]));

export const rebuildReplySchema = z.tuple([num, num]).transform(([ready, claimed]) => ({ ready, claimed }));

export const placementSchema = z.enum(["active", "capped", "throttled", "idle"]);

export const statsReplySchema = z
  .array(z.union([z.string(), z.number()]))
  .min(3)
  .transform((flat, ctx) => {
    const [ready, claimed, v, ...rest] = flat;
    if (rest.length % 5 !== 0) {
      ctx.addIssue({ code: "custom", message: `stats: ${rest.length} tenant fields is not a multiple of 5` });
      return z.NEVER;
    }
    const tenants = [];
    for (let i = 0; i < rest.length; i += 5) {
      tenants.push(
        z
          .object({ tenantId: z.string(), ready: num, claimed: num, placement: placementSchema, virtualStart: num })
          .parse({ tenantId: rest[i], ready: rest[i + 1], claimed: rest[i + 2], placement: rest[i + 3], virtualStart: rest[i + 4] }),
      );
    }
    tenants.sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
    return { ready: num.parse(ready), claimed: num.parse(claimed), virtualTime: num.parse(v), tenants };
  });

/** `jobs` hash value: tenant|class|enqueuedAt|score. */
export const readyValueSchema = z
  .string()
  .transform((s) => s.split("|"))
  .pipe(z.tuple([z.string(), priorityClassSchema, numText, numText]))
  .transform(([tenantId, priorityClass, enqueuedAtMs]) => ({ tenantId, priorityClass, enqueuedAtMs }));

/** `run` hash value: tenant|claimedAt. */
export const claimedValueSchema = z
  .string()
  .transform((s) => s.split("|"))
  .pipe(z.tuple([z.string(), numText]))
  .transform(([tenantId, claimedAtMs]) => ({ tenantId, claimedAtMs }));

/** explain: where one job stands; `ahead` is estimated by the caller from the other tenants' rows. */
export const explainReplySchema = z
  .array(z.union([z.string(), z.number()]))
  .min(8)
  .transform((flat, ctx) => {
    const [state, rank, placement, claimed, max, rate, due, weight, ...rest] = flat;
    if (rest.length % 4 !== 0) {
      ctx.addIssue({ code: "custom", message: `explain: ${rest.length} tenant fields is not a multiple of 4` });
      return z.NEVER;
    }
    const others = [];
    for (let i = 0; i < rest.length; i += 4) {
      others.push(z.object({ tenantId: z.string(), ready: num, placement: placementSchema, weight: num }).parse({ tenantId: rest[i], ready: rest[i + 1], placement: rest[i + 2], weight: rest[i + 3] }));
    }
    const limit = (value: number) => (value < 0 ? null : value);
    return {
      state: z.enum(["ready", "claimed", "absent"]).parse(state),
      rank: limit(num.parse(rank)),
      placement: placementSchema.parse(placement),
      claimed: num.parse(claimed),
      maxConcurrent: limit(num.parse(max)),
      ratePerSec: limit(num.parse(rate)),
      tokenDueAtMs: limit(num.parse(due)),
      weight: num.parse(weight),
      others,
    };
  });
