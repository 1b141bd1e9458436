// A local action's metadata (`uses: ./path` → path/action.yml or action.yaml), read from the workspace when the step
// runs — as on GitHub, the action may come from the checkout or be written by an earlier step. The files are the
// job's to shape (a symlink to a host file, a FIFO, a huge file), so they are read like the step files: through
// safe-fs (no link followed anywhere in the path, inside the workspace), size-capped.
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { openDir, openRoot, UnsafePathError, withFd } from "./safe-fs";
import { readJobFile } from "./step-files";

// YAML gives numbers and booleans where the workflow wrote `default: 3` or `required: true`: kept as text.
const text = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const textMap = z.record(z.string(), text.nullable().transform((value) => value ?? "")).nullish().transform((value) => value ?? {});

const compositeStep = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  if: z.union([z.string(), z.boolean()]).transform(String).optional(),
  run: z.string().optional(),
  shell: z.string().optional(),
  uses: z.string().optional(),
  with: textMap,
  env: textMap,
  "working-directory": z.string().optional(),
  "continue-on-error": z.union([z.boolean(), z.string()]).optional(),
});

const actionMetadata = z.looseObject({
  name: z.string().optional(),
  inputs: z
    .record(z.string(), z.looseObject({ default: text.optional(), required: z.union([z.boolean(), z.string()]).optional() }).nullable())
    .nullish()
    .transform((value) => value ?? {}),
  outputs: z
    .record(z.string(), z.looseObject({ value: z.string().optional() }).nullable())
    .nullish()
    .transform((value) => value ?? {}),
  runs: z.looseObject({ using: z.string(), steps: z.array(compositeStep).nullish() }),
});

export type CompositeStepSpec = z.infer<typeof compositeStep>;
export type ActionMetadata = z.infer<typeof actionMetadata>;

export function isLocalAction(uses: string): boolean {
  return uses === "." || uses.startsWith("./");
}

/** The metadata of the local action at `uses`, with `workspace` the job's workspace on the host. */
export function readLocalAction(workspace: string, uses: string): { ok: true; action: ActionMetadata; file: string } | { ok: false; error: string } {
  let dir: number;
  try {
    dir = withFd(openRoot(workspace), (root) => openDir(root, uses));
  } catch (error) {
    if (!(error instanceof UnsafePathError)) throw error;
    if (error.reason === "missing") return { ok: false, error: `local action ${uses}: no such directory in the workspace (did a checkout step run first?)` };
    return { ok: false, error: `local action ${uses}: ${error.message}` };
  }
  return withFd(dir, (fd) => parseActionIn(fd, uses));
}

function parseActionIn(dir: number, uses: string): { ok: true; action: ActionMetadata; file: string } | { ok: false; error: string } {
  for (const name of ["action.yml", "action.yaml"]) {
    const read = readJobFile(dir, name);
    if (!read.ok) return { ok: false, error: `local action ${uses}: ${read.error}` };
    if (read.text === "") continue;
    let raw: unknown;
    try {
      raw = parseYaml(read.text);
    } catch (error) {
      return { ok: false, error: `local action ${uses}: ${name} is not YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` };
    }
    const parsed = actionMetadata.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, error: `local action ${uses}: ${name}: ${issue ? `${issue.path.join(".") || "(top)"}: ${issue.message}` : "not action metadata"}` };
    }
    return { ok: true, action: parsed.data, file: path.posix.join(uses, name) };
  }
  return { ok: false, error: `local action ${uses} has no action.yml or action.yaml` };
}
