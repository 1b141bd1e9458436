import { Role } from "@gantry/db";
import { describe, expect, it } from "vitest";
import { hasRole, ROLE_ORDER, roleRank } from "../src/server/roles";

describe("roles", () => {
  it("orders viewer < developer < maintainer < admin and covers every Role", () => {
    expect(ROLE_ORDER).toEqual(["VIEWER", "DEVELOPER", "MAINTAINER", "ADMIN"]);
    expect([...ROLE_ORDER].sort()).toEqual(Object.values(Role).sort());
    expect(ROLE_ORDER.map(roleRank)).toEqual([0, 1, 2, 3]);
  });

  it("grants a role and everything below it, nothing above", () => {
    for (const held of ROLE_ORDER) {
      for (const required of ROLE_ORDER) {
        expect(hasRole(held, required), `${held} ≥ ${required}`).toBe(roleRank(held) >= roleRank(required));
      }
    }
    expect(hasRole("ADMIN", "VIEWER")).toBe(true);
    expect(hasRole("VIEWER", "DEVELOPER")).toBe(false);
    expect(hasRole("DEVELOPER", "MAINTAINER")).toBe(false);
    expect(hasRole("MAINTAINER", "ADMIN")).toBe(false);
  });
});
