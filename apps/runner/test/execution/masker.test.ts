import { describe, expect, it } from "vitest";
import { Masker } from "../../src/execution/masker";
import { StepOutput } from "../../src/execution/step-output";
import { collectingLog } from "./helpers";

const SECRET = "s3cr3t-Value!/+&\"quote";

describe("masker", () => {
  const masker = new Masker([SECRET]);

  it("masks the raw value", () => {
    expect(masker.mask(`token=${SECRET} end`)).toBe("token=*** end");
  });

  it("masks base64 at all three alignments", () => {
    for (const prefix of ["", "a", "ab", "abc"]) {
      const encoded = Buffer.from(`${prefix}${SECRET}tail`).toString("base64");
      const masked = masker.mask(encoded);
      expect(masked, `prefix ${JSON.stringify(prefix)}`).toContain("***");
      // What is left must not decode back to the secret.
      expect(Buffer.from(masked.replace("***", ""), "base64").toString()).not.toContain(SECRET);
    }
  });

  it("masks URL-encoded and JSON-escaped forms", () => {
    expect(masker.mask(`q=${encodeURIComponent(SECRET)}`)).toBe("q=***");
    expect(masker.mask(JSON.stringify({ t: SECRET }))).toBe('{"t":"***"}');
  });

  it("masks each line of a multi-line value", () => {
    const m = new Masker(["first-line-secret\nsecond-line-secret"]);
    expect(m.mask("x second-line-secret y\nfirst-line-secret")).toBe("x *** y\n***");
  });

  it("ignores empty and blank values", () => {
    const m = new Masker(["", "  "]);
    expect(m.mask("a  b")).toBe("a  b");
  });
});

describe("masking across chunk boundaries", () => {
  it("masks a secret split between two reads", async () => {
    const { log, text } = collectingLog();
    const out = new StepOutput(0, new Masker([SECRET]), log);
    const line = Buffer.from(`before ${SECRET} after\n`);
    for (let i = 0; i < line.length; i += 5) await out.push(line.subarray(i, i + 5));
    await out.end();
    await log.close();
    expect(text()).toBe("before *** after\n");
  });

  it("masks a secret straddling the flush point of a very long line", async () => {
    const { log, text } = collectingLog();
    const out = new StepOutput(0, new Masker([SECRET]), log);
    const filler = "x".repeat(64 * 1024 - 5);
    await out.push(Buffer.from(filler + SECRET.slice(0, 10)));
    await out.push(Buffer.from(SECRET.slice(10) + "y".repeat(70_000)));
    await out.end();
    await log.close();
    expect(text()).not.toContain(SECRET.slice(0, 10) + SECRET.slice(10, 12));
    expect(text()).toContain("x***y");
  });

  it("masks a value added by ::add-mask:: from the next line on, and hides the command", async () => {
    const { log, text } = collectingLog();
    const out = new StepOutput(0, new Masker(), log);
    await out.push(Buffer.from("::add-mask::hunter2-pass\nthe password is hunter2-pass\n"));
    await out.end();
    await log.close();
    expect(text()).toBe("the password is ***\n");
  });
});
