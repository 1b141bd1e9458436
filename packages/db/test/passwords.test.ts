// Password hashes (issue #13 item 6b): scrypt at OWASP's floor with the parameters in the hash; an older hash
// still verifies and is marked for rehashing.
import { randomBytes, scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as db from "../src/index";

describe("password hashes", () => {
  it("are made with N=2^17, r=8, p=1, written into the hash, and verify", async () => {
    const hash = await db.hashPassword("correct horse");
    expect(hash).toMatch(/^scrypt\$ln=17,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await db.verifyPassword("correct horse", hash)).toBe(true);
    expect(await db.verifyPassword("correct horsf", hash)).toBe(false);
    expect(db.needsRehash(hash)).toBe(false);
  });

  it("made before (node's default N=2^14, no parameters written) still verify, and need a rehash", async () => {
    const salt = randomBytes(16);
    const legacy = `scrypt$${salt.toString("base64url")}$${scryptSync("old password", salt, 32).toString("base64url")}`;
    expect(await db.verifyPassword("old password", legacy)).toBe(true);
    expect(await db.verifyPassword("wrong", legacy)).toBe(false);
    expect(db.needsRehash(legacy)).toBe(true);
  });

  it("with absurd or malformed parameters are refused, not computed", async () => {
    expect(await db.verifyPassword("x", "scrypt$ln=30,r=8,p=1$c2FsdA$aGFzaA")).toBe(false);
    expect(await db.verifyPassword("x", "bcrypt$whatever")).toBe(false);
    expect(db.needsRehash("scrypt$ln=14,r=8,p=1$c2FsdA$aGFzaA")).toBe(true);
  });
});
