// What the browser tests check on every admin page: axe-core's WCAG 2 A/AA rules find nothing, and a screenshot is
// saved into docs/screenshots/ for docs/web.md.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Page } from "playwright-core";
import { z } from "zod";
import { ROOT } from "./harness";

const violations = z.array(z.object({ id: z.string(), impact: z.string().nullable(), help: z.string(), nodes: z.array(z.string()) }));
export type AxeViolations = z.infer<typeof violations>;

/** axe-core's violations on the page as it is now (WCAG 2.0/2.1 A and AA), each with the elements it found. */
export async function axeViolations(page: Page): Promise<AxeViolations> {
  const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
  await page.addScriptTag({ path: axePath });
  const found: unknown = await page.evaluate(`axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
    .then((result) => result.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, nodes: v.nodes.map((node) => node.target.join(" ")) })))`);
  return violations.parse(found);
}

/** The page, full length, as docs/screenshots/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const directory = path.join(ROOT, "docs/screenshots");
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
