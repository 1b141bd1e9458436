// The tenant's allowed-actions policy: the pure matcher (GitHub's pattern semantics), its zod schema, and the
// validation option that turns a refused `uses:` into an error at its position.
import { describe, expect, it } from "vitest";
import { actionMatchesPattern, actionRefusal, actionsPolicySchema, parseWorkflow, type ActionsPolicy } from "../src/index.js";

const list = (...patterns: string[]): ActionsPolicy => ({ kind: "list", patterns });

describe("actionMatchesPattern", () => {
  it.each([
    ["octo/repo@v1", "octo/*"],
    ["octo/repo/sub/dir@v1", "octo/*"],
    ["octo/repo@v1", "octo/repo@*"],
    ["octo/repo/sub@main", "octo/repo@*"],
    ["octo/repo@v1", "octo/repo"],
    ["octo/repo@v1", "octo/repo@v1"],
    ["Octo/Repo@v1", "octo/repo@v1"],
    ["octo/repo/setup@v2", "octo/repo/setup@v2"],
    ["octo/repo/setup@v2", "octo/repo/*@*"],
    ["space-org-eu/tool@v1", "space-org*/*"],
    ["someone/octocat-action@v3", "*/octocat*@*"],
    ["octo/repo@releases/v1.2", "octo/repo@releases/*"],
    ["octo/repo@172239021f7ba04fe7327647b213799853a9eb89", "octo/repo@172239021f7ba04fe7327647b213799853a9eb89"],
  ])("%s matches %s", (uses, pattern) => expect(actionMatchesPattern(uses, pattern)).toBe(true));

  it.each([
    ["octo/repo@v2", "octo/repo@v1"],
    ["octo/repo@V1", "octo/repo@v1"],
    ["octo/repo@v1.0", "octo/repo@v1"],
    ["octopus/repo@v1", "octo/*"],
    ["other/octo@v1", "octo/*"],
    ["octo/repo-two@v1", "octo/repo@*"],
    ["octo/repo@v1", "octo/repo/setup@*"],
    ["octo/repo/setup/deep@v1", "octo/repo/*@*"],
    ["octo/repo/other@v1", "octo/repo/setup@*"],
    ["space/tool@v1", "space-org*/*"],
    ["./local", "octo/*"],
  ])("%s does not match %s", (uses, pattern) => expect(actionMatchesPattern(uses, pattern)).toBe(false));
});

describe("actionRefusal", () => {
  it("all allows every action", () => expect(actionRefusal({ kind: "all" }, "someone/anything@main")).toBeNull());
  it("local actions are always allowed", () => {
    for (const policy of [{ kind: "github-owned" }, list()] as ActionsPolicy[]) expect(actionRefusal(policy, "./.github/actions/x")).toBeNull();
  });
  it("github-owned allows the actions and github owners only, and names the rule otherwise", () => {
    expect(actionRefusal({ kind: "github-owned" }, "actions/setup-node@v4")).toBeNull();
    expect(actionRefusal({ kind: "github-owned" }, "GitHub/codeql-action/init@v1")).toBeNull();
    expect(actionRefusal({ kind: "github-owned" }, "foo/bar@v1")).toBe('action "foo/bar@v1" is not allowed: this tenant allows GitHub-owned actions only (owners "actions" and "github") and local actions');
    expect(actionRefusal({ kind: "github-owned" }, "actions-fork/checkout@v1")).not.toBeNull();
  });
  it("a list allows what one of its patterns matches and names the patterns otherwise", () => {
    const policy = list("actions/*", "codecov/codecov-action@v1");
    expect(actionRefusal(policy, "actions/checkout@v4")).toBeNull();
    expect(actionRefusal(policy, "codecov/codecov-action@v1")).toBeNull();
    expect(actionRefusal(policy, "codecov/codecov-action@v2")).toBe(`action "codecov/codecov-action@v2" is not allowed: it matches none of this tenant's allowed patterns ("actions/*", "codecov/codecov-action@v1")`);
  });
  it("an empty list allows local actions only", () => expect(actionRefusal(list(), "actions/checkout@v4")).toBe('action "actions/checkout@v4" is not allowed: this tenant allows local actions only'));
  it("docker actions are allowed only by all", () => {
    expect(actionRefusal({ kind: "github-owned" }, "docker://alpine:3")).not.toBeNull();
    expect(actionRefusal(list("*/*"), "docker://alpine:3")).not.toBeNull();
  });
});

describe("actionsPolicySchema", () => {
  it("takes the three kinds", () => {
    expect(actionsPolicySchema.parse({ kind: "all" })).toEqual({ kind: "all" });
    expect(actionsPolicySchema.parse({ kind: "github-owned" })).toEqual({ kind: "github-owned" });
    expect(actionsPolicySchema.parse(list("octo/*", "octo/repo@v1", "octo/repo/path@main"))).toEqual(list("octo/*", "octo/repo@v1", "octo/repo/path@main"));
  });
  it.each([
    ["octo", "names no repository"],
    ["octo/repo@", "empty or second"],
    ["octo/repo@v1@v2", "empty or second"],
    ["octo//x", 'empty, "." or ".." part'],
    ["octo/../x", 'empty, "." or ".." part'],
    ["octo/re po", "whitespace"],
    ["octo/re$po", "a character other than"],
    ["", "empty"],
  ])("refuses the pattern %j with a clear reason", (pattern, reason) => {
    const result = actionsPolicySchema.safeParse(list("actions/*", pattern));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(reason);
    expect(result.error?.issues[0]?.path).toEqual(["patterns", 1]);
  });
  it("refuses an unknown kind", () => expect(actionsPolicySchema.safeParse({ kind: "verified" }).success).toBe(false));
});

describe("the policy as a validation option", () => {
  const src = `on: push
jobs:
  build:
    runs-on: linux
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/local
      - uses: foo/bar@v1
      - uses: github/codeql-action/init@v1
`;
  it("refuses an action outside the policy at its uses: line and column, naming the action and the rule", () => {
    expect(parseWorkflow(src, "w.yml", { allowedActions: { kind: "github-owned" } }).errors).toEqual([
      { file: "w.yml", line: 8, col: 15, code: "action-not-allowed", severity: "error", message: 'action "foo/bar@v1" is not allowed: this tenant allows GitHub-owned actions only (owners "actions" and "github") and local actions' },
    ]);
  });
  it("refuses native actions too when a list leaves them out", () =>
    expect(parseWorkflow(src, "w.yml", { allowedActions: list("foo/*") }).errors.map((e) => `${e.line}:${e.col} ${e.code}`)).toEqual(["6:15 action-not-allowed", "9:15 action-not-allowed"]));
  it("allows everything by default and with all", () => {
    expect(parseWorkflow(src, "w.yml").errors).toEqual([]);
    expect(parseWorkflow(src, "w.yml", { allowedActions: { kind: "all" } }).errors).toEqual([]);
  });
});
