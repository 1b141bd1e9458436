// A git source's push-notification secret: random, sealed with the tenant's data key like a Secret (purpose bound
// to the source), answered once with the git config the post-receive hook reads (scripts/git-hooks/post-receive).
import { gitSourceSecretPurpose, newToken, secretStore } from "@gantry/db";
import { TRPCError } from "@trpc/server";
import type { TenantProcedureContext } from "../../trpc";

export async function newNotifySecret(ctx: TenantProcedureContext, gitSourceId: string): Promise<{ secret: string; sealed: Uint8Array<ArrayBuffer> }> {
  if (!ctx.masterKey) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "Connecting a git server needs GANTRY_MASTER_KEY on the control plane (its push secret is stored encrypted)." });
  const secret = newToken("gns");
  const tenantCtx = { tenantId: ctx.tenant.id, actor: { kind: "USER" as const, id: ctx.session.userId } };
  return { secret, sealed: await secretStore(ctx.db, tenantCtx, ctx.masterKey).sealValue(gitSourceSecretPurpose(gitSourceId), secret) };
}

/** The commands that install the hook in the bare repository (run there; the script ships in scripts/git-hooks). */
export function hookSetup(options: { publicUrl: string; gitSourceId: string; repository: string; secret: string }): string {
  return [
    "cp scripts/git-hooks/post-receive hooks/post-receive && chmod +x hooks/post-receive",
    `git config gantry.url ${options.publicUrl}`,
    `git config gantry.source ${options.gitSourceId}`,
    `git config gantry.repository ${options.repository}`,
    `git config gantry.secret ${options.secret}`,
  ].join("\n");
}
