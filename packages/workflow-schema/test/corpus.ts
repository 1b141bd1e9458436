import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import prand from "pure-rand";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../../..");

/** The shared conformance corpus: env GANTRY_CORPUS_DIR when set, else `../shared/corpus` beside the repo. */
export function corpusLookedIn(): string {
  return process.env.GANTRY_CORPUS_DIR || path.resolve(repoRoot, "../shared/corpus");
}

export function corpusDir(): string | undefined {
  const dir = corpusLookedIn();
  return fs.existsSync(path.join(dir, "actionlint", "INDEX.json")) ? dir : undefined;
}

export function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

export function listYaml(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Deterministic PRNG (pure-rand's xoroshiro128+) so fuzz failures reproduce from the seed. */
export function prng(seed: number): () => number {
  const generator = prand.xoroshiro128plus(seed);
  return () => prand.unsafeUniformIntDistribution(0, 0xffffffff, generator) / 0x1_0000_0000;
}
