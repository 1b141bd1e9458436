import { describe, expect, it } from "vitest";
import { Masker } from "../../src/execution/masker";
import { StepOutput } from "../../src/execution/step-output";
import { collectingLog } from "./helpers";

const SECRET = "s3cr3t-Value!/+&\"quote";

/** Whether any 8 characters of the secret's base64 (at any of the 3 alignments) are left in `text`. */
function leaksBase64(text: string, secret: string): boolean {
  for (let pad = 0; pad < 3; pad++) {
    const bytes = Buffer.byteLength(secret) + pad;
    // Only the characters whose 6 bits all come from the secret.
    const encoded = Buffer.from(`${"\0".repeat(pad)}${secret}`).toString("base64").slice(Math.ceil((8 * pad) / 6), Math.floor((8 * bytes) / 6));
    for (let at = 0; at + 8 <= encoded.length; at++) if (text.includes(encoded.slice(at, at + 8))) return true;
  }
  return false;
}

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

  it("masks hex in lower and upper case", () => {
    const hex = Buffer.from(SECRET).toString("hex");
    expect(masker.mask(`digest ${hex} end`)).toBe("digest *** end");
    expect(masker.mask(`DIGEST ${hex.toUpperCase()} END`)).toBe("DIGEST *** END");
  });

  it("masks base64 wrapped at 76 columns, at every alignment and column, with LF or CRLF", () => {
    // A long value spans whole lines of the wrapped form, a short one at most a line break.
    for (const secret of [SECRET, `long-${"0123456789abcdef".repeat(6)}-secret`]) {
      const m = new Masker([secret]);
      for (let prefix = 0; prefix < 80; prefix++) {
        const encoded = Buffer.from(`${"p".repeat(prefix)}${secret}${"t".repeat(40)}`).toString("base64");
        for (const eol of ["\n", "\r\n"]) {
          const wrapped = (encoded.match(/.{1,76}/g) ?? []).join(eol);
          const masked = m.mask(wrapped);
          expect(masked.split(eol).length, "keeps the lines").toBe(wrapped.split(eol).length);
          expect(leaksBase64(masked.replaceAll(eol, ""), secret), `prefix ${prefix}, ${JSON.stringify(eol)}`).toBe(false);
        }
      }
    }
  });

  it("masks every form on the line a wrapped run ends with", () => {
    const encoded = (Buffer.from("x".repeat(120)).toString("base64").match(/.{1,76}/g) ?? []).join("\n");
    expect(masker.mask(`${encoded} and ${SECRET}\n`)).toBe(`${encoded} and ***\n`);
    expect(masker.mask(`${encoded}\n${SECRET}\n`)).toBe(`${encoded}\n***\n`);
  });

  it("masks base64 wrapped at 64 columns (openssl, PEM)", () => {
    const encoded = Buffer.from(`${"p".repeat(40)}${SECRET}tail`).toString("base64");
    const masked = masker.mask((encoded.match(/.{1,64}/g) ?? []).join("\n"));
    expect(leaksBase64(masked.replaceAll("\n", ""), SECRET)).toBe(false);
  });

  it("masks hex wrapped at 60 columns (xxd -p), in either case, whatever column the secret starts at", () => {
    const long = `${SECRET}-${"q".repeat(40)}`;
    const m = new Masker([long]);
    for (let lead = 0; lead < 31; lead++) {
      for (const hex of [Buffer.from(`${"p".repeat(lead)}${long}tail`).toString("hex"), Buffer.from(`${"p".repeat(lead)}${long}`).toString("hex").toUpperCase()]) {
        const lines = hex.match(/.{1,60}/g) ?? [];
        const masked = m.mask(`${lines.join("\n")}\n`);
        expect(masked.replaceAll("\n", "").toLowerCase(), `lead ${lead}`).not.toContain(Buffer.from(long).toString("hex").slice(0, 24));
        // The log keeps its lines.
        expect(masked.split("\n")).toHaveLength(lines.length + 1);
      }
    }
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

  it("masks wrapped base64 whose lines arrive in separate reads", async () => {
    const { log, text } = collectingLog();
    const out = new StepOutput(0, new Masker([SECRET]), log);
    const encoded = Buffer.from(`${"p".repeat(45)}${SECRET}${"t".repeat(90)}`).toString("base64");
    const lines = encoded.match(/.{1,76}/g) ?? [];
    // The secret's base64 straddles the first line break; each line is its own read.
    for (const line of lines) await out.push(Buffer.from(`${line}\n`));
    await out.end();
    await log.close();
    expect(leaksBase64(text().replaceAll("\n", ""), SECRET)).toBe(false);
    expect(text().split("\n").length).toBe(lines.length + 1);
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
