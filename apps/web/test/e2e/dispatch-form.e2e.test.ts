// The Run workflow form in Chromium against the production server (a real bare repository; the run page then waits
// for intake, no worker here): each input's description is shown and tied to its field; a refusal is shown under
// its field as the settings forms show theirs (aria-invalid, aria-describedby, the error colour) with what was typed
// kept and the first field in trouble focused; a cleared required input is refused, not run with its default; a
// ticked checkbox is sent as true.
import { DEMO } from "@gantry/db";
import type { Locator } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { demoRepository, type DemoRepository } from "./demo-repository";
import { axeViolations } from "./page-checks";
import { poll, signedIn, useBrowserFixture } from "./harness";

const fixture = useBrowserFixture();
const WORKFLOW = `name: Deploy
on:
  workflow_dispatch:
    inputs:
      target:
        type: string
        required: true
        default: staging
        description: Where the release goes
      dry_run:
        type: boolean
        description: Only print what would change
      level:
        type: choice
        options: [low, high]
        default: low
      replicas:
        type: number
        required: true
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps: [{ run: echo }]
`;
let repository: DemoRepository | undefined;

afterAll(() => repository?.remove());

/** What a screen reader hears as the field's description: the texts its aria-describedby names, in order. */
async function description(field: Locator): Promise<string> {
  const ids = ((await field.getAttribute("aria-describedby")) ?? "").split(" ").filter(Boolean);
  const texts = await Promise.all(ids.map((id) => field.page().locator(`[id="${id}"]`).innerText()));
  return texts.join(" | ");
}

describe("Run workflow", () => {
  it("shows descriptions, refuses a cleared required input at its field, keeps what was typed, and sends a ticked box as true", async () => {
    const { t, server, browser } = fixture();
    repository = await demoRepository(t, { ".gantry/workflows/deploy.yml": WORKFLOW });
    const page = await signedIn(browser, server);
    await page.goto(`${server.baseUrl}/t/${DEMO.tenantSlug}/dispatch`);
    const form = page.getByTestId("dispatch-.gantry/workflows/deploy.yml");
    const target = form.getByLabel("target (required)");
    const dryRun = form.getByLabel("dry_run");
    const replicas = form.getByLabel("replicas (required)");
    const level = form.getByLabel("level");
    expect(await target.inputValue()).toBe("staging");
    expect(await description(target)).toBe("Where the release goes");
    expect(await description(dryRun)).toBe("Only print what would change");
    expect(await axeViolations(page)).toEqual([]);

    // Cleared, a required input with a default is refused (it used to run with "staging").
    await target.fill("");
    await dryRun.check();
    await level.selectOption("high");
    await replicas.fill("3");
    await form.getByRole("button", { name: "Run workflow" }).click();
    const error = form.getByTestId("input-target").locator(".field-error");
    await error.waitFor();
    expect(await error.innerText()).toBe('input "target" is required but was given empty');
    expect(await error.getAttribute("role")).toBe("alert");
    expect(await target.getAttribute("aria-invalid")).toBe("true");
    expect(await description(target)).toBe('input "target" is required but was given empty | Where the release goes');
    // Styled as an error, like the settings forms: the error colour on the message and the field's border.
    const red = await error.evaluate((element) => getComputedStyle(element).color);
    expect(red).toBe("rgb(180, 35, 24)");
    expect(await target.evaluate((element) => getComputedStyle(element).borderTopColor)).toBe(red);
    expect(await form.getByRole("alert").filter({ hasText: "Some inputs need attention" }).count()).toBe(1);
    // What was typed is still there, and the field in trouble has the focus.
    expect(await dryRun.isChecked()).toBe(true);
    expect(await level.inputValue()).toBe("high");
    expect(await replicas.inputValue()).toBe("3");
    await poll("the refused field focused", 5_000, async () => ((await target.evaluate((element) => element === document.activeElement)) ? true : undefined));
    expect(await t.database.system("test").webhookDelivery.count({ where: { source: "api" } })).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    // A ticked box is true (it used to be sent as "on" and refused); an unticked one false.
    await target.fill("production");
    await form.getByRole("button", { name: "Run workflow" }).click();
    await page.waitForURL(new RegExp(`/t/${DEMO.tenantSlug}/runs/run_`));
    expect(await page.getByTestId("run-pending").innerText()).toContain("queued for intake");
    // The title comes with the page's metadata, which Next streams after the body: it may land a moment later.
    await poll("the pending run's title", 10_000, async () => ((await page.title()) === "Run queued for intake · Gantry" ? true : undefined));
    const deliveries = await t.database.system("test").webhookDelivery.findMany({ where: { source: "api" } });
    expect(deliveries.map((delivery) => (delivery.payload as { inputs: unknown }).inputs)).toEqual([{ target: "production", dry_run: true, level: "high", replicas: 3 }]);
    await page.context().close();
  });
});
