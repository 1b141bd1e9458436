// GitHub's published webhook payloads (npm @octokit/webhooks-examples), read from the installed package —
// never copied into this repository.
import { createRequire } from "node:module";
import { z } from "zod";

const definitions = z.array(z.object({ name: z.string(), examples: z.array(z.record(z.string(), z.unknown())) }));

let loaded: z.infer<typeof definitions> | undefined;

/** Every published example body of one event (api.github.com). */
export function publishedExamples(event: string): Record<string, unknown>[] {
  loaded ??= definitions.parse(createRequire(import.meta.url)("@octokit/webhooks-examples"));
  return loaded.find((definition) => definition.name === event)?.examples ?? [];
}
