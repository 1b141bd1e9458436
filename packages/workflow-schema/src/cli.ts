/**
 * `gantry validate <files…>`, behind the `gantry` bin of apps/cli (which hands in the file system as `io`).
 * Flags: --json, --labels a,b  --secrets X,Y  --max-timeout N  --injection-error  --config tenant.json
 *        --root DIR: validate the repository at DIR as a project (workflows in .gantry/workflows and
 *        .github/workflows, plus local reusable workflows and local actions across files)
 * Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error.
 */
import { actionsPolicySchema } from "./actions-policy";
import { formatErrors } from "./format";
import { hasErrors } from "./errors";
import type { WorkflowError } from "./errors";
import type { TenantContext } from "./model";
import { validateProject } from "./project/project";
import { parseWorkflow } from "./validate";

export interface CliIo {
  readFile(path: string): string;
  /** Every file under `root`, as root-relative POSIX paths (for `--root`). */
  listFiles?(root: string): string[];
  out(s: string): void;
  err(s: string): void;
}

const USAGE = "usage: gantry validate [--json] [--labels a,b] [--secrets X,Y] [--max-timeout N] [--injection-error] [--config tenant.json] (--root DIR | <files…>)";

const list = (v: string | undefined): string[] => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);

export function main(argv: readonly string[], io: CliIo): number {
  const [cmd, ...rest] = argv;
  if (cmd !== "validate") {
    io.err(USAGE);
    return 2;
  }
  const ctx: TenantContext = {};
  const files: string[] = [];
  let json = false;
  let root: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] ?? "";
    const val = (): string | undefined => rest[++i];
    if (a === "--json") json = true;
    else if (a === "--root") root = val();
    else if (a === "--labels") ctx.poolLabels = list(val());
    else if (a === "--secrets") ctx.secretNames = list(val());
    else if (a === "--injection-error") ctx.injectionIsError = true;
    else if (a === "--max-timeout") {
      const n = Number(val());
      if (!Number.isFinite(n) || n <= 0) {
        io.err(`--max-timeout needs a positive number\n${USAGE}`);
        return 2;
      }
      ctx.maxTimeoutMinutes = n;
    } else if (a === "--config") {
      const p = val();
      try {
        const cfg: unknown = JSON.parse(io.readFile(p ?? ""));
        if (typeof cfg === "object" && cfg !== null) {
          if ("poolLabels" in cfg && Array.isArray(cfg.poolLabels)) ctx.poolLabels = cfg.poolLabels.map(String);
          if ("secretNames" in cfg && Array.isArray(cfg.secretNames)) ctx.secretNames = cfg.secretNames.map(String);
          if ("maxTimeoutMinutes" in cfg && typeof cfg.maxTimeoutMinutes === "number") ctx.maxTimeoutMinutes = cfg.maxTimeoutMinutes;
          if ("injectionIsError" in cfg && typeof cfg.injectionIsError === "boolean") ctx.injectionIsError = cfg.injectionIsError;
          if ("allowedActions" in cfg) {
            const policy = actionsPolicySchema.safeParse(cfg.allowedActions);
            if (!policy.success) throw new Error(`allowedActions: ${policy.error.issues.map((issue) => issue.message).join("; ")}`);
            ctx.allowedActions = policy.data;
          }
        }
      } catch (e) {
        io.err(`cannot read config ${p ?? ""}: ${e instanceof Error ? e.message : String(e)}`);
        return 2;
      }
    } else if (a.startsWith("--")) {
      io.err(`unknown flag ${a}\n${USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (root !== undefined) {
    if (!io.listFiles) {
      io.err("--root is not available here");
      return 2;
    }
    const snapshot: Record<string, string> = {};
    for (const p of io.listFiles(root)) if (/\.ya?ml$/.test(p)) snapshot[p] = io.readFile(`${root}/${p}`);
    const { errors } = validateProject(snapshot, ctx);
    const text = formatErrors(errors, json ? "json" : "text");
    if (text) io.out(text);
    return hasErrors(errors) ? 1 : 0;
  }
  if (files.length === 0) {
    io.err(USAGE);
    return 2;
  }
  const all: WorkflowError[] = [];
  for (const f of files) {
    let src: string;
    try {
      src = io.readFile(f);
    } catch (e) {
      all.push({ file: f, line: 0, col: 0, code: "file-unreadable", message: `cannot read file: ${e instanceof Error ? e.message : String(e)}`, severity: "error" });
      continue;
    }
    all.push(...parseWorkflow(src, f, ctx).errors);
  }
  const text = formatErrors(all, json ? "json" : "text");
  if (text) io.out(text);
  return hasErrors(all) ? 1 : 0;
}
