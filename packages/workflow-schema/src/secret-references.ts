// Which secrets a planned job names, so the control plane hands a runner only those (DESIGN.md invariant 8:
// injected where referenced). `secrets.NAME` and `secrets['NAME']` name one; any other use of the context
// (`toJSON(secrets)`, `secrets[matrix.key]`) cannot be narrowed, and asks for all of the job's secrets.
import { extractExpressions } from "./expr/extract";

const NAMED = /\bsecrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*'([^']*)'\s*\])/gi;
const ANY = /\bsecrets\b/gi;

export interface SecretReferences {
  /** Upper-cased, as GitHub compares secret names. */
  names: string[];
  all: boolean;
}

function expressionsIn(key: string | undefined, text: string): string[] {
  // `if:` is an expression without `${{ }}`; elsewhere only what is inside `${{ }}` is one.
  if (key === "if") return [text];
  return extractExpressions(text).items.map((item) => item.inner);
}

export function secretReferences(planned: unknown): SecretReferences {
  const names = new Set<string>();
  let all = false;
  const visit = (value: unknown, key?: string) => {
    if (typeof value === "string") {
      for (const expression of expressionsIn(key, value)) {
        let named = 0;
        for (const match of expression.matchAll(NAMED)) {
          names.add((match[1] ?? match[2] ?? "").toUpperCase());
          named += 1;
        }
        if ((expression.match(ANY)?.length ?? 0) > named) all = true;
      }
    } else if (Array.isArray(value)) value.forEach((item) => visit(item));
    else if (value && typeof value === "object") for (const [child, item] of Object.entries(value)) visit(item, child);
  };
  visit(planned);
  names.delete("");
  return { names: [...names].sort(), all };
}
