// An action's metadata (`action.yml` / `action.yaml`), for local and remote actions alike: parsed with yaml and
// checked with zod, so a malformed file fails the step naming the file and the problem. `runs` is one of the three
// kinds GitHub knows: JavaScript (`node12|16|20|24` with main and optional pre/post), composite, docker.
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { readJobFile } from "./step-files";

// YAML gives numbers and booleans where the workflow wrote `default: 3` or `required: true`: kept as text.
const text = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const textMap = z.record(z.string(), text.nullable().transform((value) => value ?? "")).nullish().transform((value) => value ?? {});
const condition = z.union([z.string(), z.boolean()]).transform(String);

const compositeStep = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  if: condition.optional(),
  run: z.string().optional(),
  shell: z.string().optional(),
  uses: z.string().optional(),
  with: textMap,
  env: textMap,
  "working-directory": z.string().optional(),
  "continue-on-error": z.union([z.boolean(), z.string()]).optional(),
});

const nodeRuns = z.looseObject({
  using: z.enum(["node12", "node16", "node20", "node24"]),
  main: z.string().min(1),
  pre: z.string().min(1).optional(),
  "pre-if": condition.optional(),
  post: z.string().min(1).optional(),
  "post-if": condition.optional(),
});
const compositeRuns = z.looseObject({ using: z.literal("composite"), steps: z.array(compositeStep).nullish().transform((steps) => steps ?? []) });
const dockerRuns = z.looseObject({ using: z.literal("docker"), image: z.string().optional() });

const actionManifest = z.looseObject({
  name: z.string().optional(),
  inputs: z
    .record(z.string(), z.looseObject({ default: text.optional(), required: z.union([z.boolean(), z.string()]).optional(), deprecationMessage: z.string().optional() }).nullable())
    .nullish()
    .transform((value) => value ?? {}),
  outputs: z
    .record(z.string(), z.looseObject({ value: z.string().optional() }).nullable())
    .nullish()
    .transform((value) => value ?? {}),
  runs: z.discriminatedUnion("using", [nodeRuns, compositeRuns, dockerRuns], {
    error: (issue) => (issue.code === "invalid_union" ? `runs.using must be one of node12, node16, node20, node24, composite, docker` : undefined),
  }),
});

export type CompositeStepSpec = z.infer<typeof compositeStep>;
export type ActionManifest = z.infer<typeof actionManifest>;
export type NodeRuns = z.infer<typeof nodeRuns>;

/** The Node major version a `runs.using` runs on, as GitHub does today: node12/16/20 on 20, node24 on 24. */
export const nodeMajor = (using: NodeRuns["using"]): "20" | "24" => (using === "node24" ? "24" : "20");

export type ManifestResult = { ok: true; manifest: ActionManifest; file: string } | { ok: false; error: string };

/** Parses one metadata file's text; `label` names the action in errors (`owner/repo@ref`, `./path`). */
export function parseActionManifest(source: string, file: string, label: string): ManifestResult {
  let raw: unknown;
  try {
    raw = parseYaml(source);
  } catch (error) {
    return { ok: false, error: `${label}: ${file} is not YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` };
  }
  const parsed = actionManifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${label}: ${file}: ${issue ? `${issue.path.join(".") || "(top)"}: ${issue.message}` : "not action metadata"}` };
  }
  return { ok: true, manifest: parsed.data, file };
}

/** action.yml, else action.yaml, in the directory open at `dirFd` (read by safe-fs rules); `shown` prefixes the file name. */
export function readActionManifest(dirFd: number, label: string, shown: (name: string) => string): ManifestResult {
  for (const name of ["action.yml", "action.yaml"]) {
    const read = readJobFile(dirFd, name);
    if (!read.ok) return { ok: false, error: `${label}: ${read.error}` };
    if (read.text === "") continue;
    return parseActionManifest(read.text, shown(name), label);
  }
  return { ok: false, error: `${label} has no action.yml or action.yaml` };
}
