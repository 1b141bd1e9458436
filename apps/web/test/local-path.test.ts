// Where sign-in may send someone afterwards: a path on this site, with its query and fragment, and nothing else.
import { describe, expect, it } from "vitest";
import { safeLocalPath, signInPath } from "../src/server/navigation/local-path";

describe("safeLocalPath", () => {
  it("keeps a path on this site with its query and fragment", () => {
    expect(safeLocalPath("/t/demo/runs/run_1?attempt=2#log")).toBe("/t/demo/runs/run_1?attempt=2#log");
    expect(safeLocalPath("/t/demo/runs/a%20b")).toBe("/t/demo/runs/a%20b");
    expect(safeLocalPath("/")).toBe("/");
  });

  it("refuses anything a browser could read as another site", () => {
    for (const value of ["//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/t/demo", "javascript:alert(1)", "/\t/evil.example", "/\n/evil.example", "evil.example/x", "", undefined, ["/t/demo"]]) {
      expect(safeLocalPath(value), JSON.stringify(value)).toBe("/");
    }
    expect(safeLocalPath("//evil.example", "/t/demo")).toBe("/t/demo");
  });
});

describe("signInPath", () => {
  it("comes back to a local path, and to nothing for the root or a foreign one", () => {
    expect(signInPath("/t/demo/runs/run_1?attempt=2")).toBe("/signin?callbackUrl=%2Ft%2Fdemo%2Fruns%2Frun_1%3Fattempt%3D2");
    expect(signInPath("/")).toBe("/signin");
    expect(signInPath("//evil.example")).toBe("/signin");
  });
});
