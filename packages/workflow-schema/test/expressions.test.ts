import { describe, expect, it } from "vitest";
import { evaluateExpression } from "../src/index.js";

const ev = (expr: string, ctx: Record<string, unknown> = {}) => {
  const r = evaluateExpression(expr, ctx);
  if (!r.ok) throw new Error(`evaluation failed: ${r.error}`);
  return r.value;
};

describe("literals", () => {
  it.each([
    ["null", null],
    ["true", true],
    ["false", false],
    ["42", 42],
    ["-9.5", -9.5],
    ["0xff", 255],
    ["2e3", 2000],
    ["'it''s'", "it's"],
  ])("%s", (src, want) => expect(ev(src)).toEqual(want));
});

/** GitHub docs, "Operators": loose equality coerces mismatched types to numbers; strings compare case-insensitively. */
describe("coercion table for == (docs: null→0, bool→0/1, string→number, array/object→NaN)", () => {
  const values: Record<string, string> = { null: "null", true: "true", false: "false", zero: "0", one: "1", empty: "''", str0: "'0'", str1: "'1'", abc: "'abc'", ABC: "'ABC'" };
  const table: [string, string, boolean][] = [
    ["null", "null", true], ["null", "false", true], ["null", "zero", true], ["null", "empty", true], ["null", "str0", true],
    ["null", "one", false], ["true", "one", true], ["true", "str1", true], ["false", "zero", true], ["false", "empty", true],
    ["false", "str0", true], ["true", "abc", false], ["zero", "empty", true], ["zero", "str0", true], ["one", "str1", true],
    ["abc", "ABC", true], ["abc", "zero", false], ["empty", "str0", false], ["true", "true", true], ["true", "false", false],
  ];
  it.each(table)("%s == %s is %s", (a, b, want) => {
    expect(ev(`${values[a]} == ${values[b]}`)).toBe(want);
    expect(ev(`${values[b]} == ${values[a]}`)).toBe(want);
    expect(ev(`${values[a]} != ${values[b]}`)).toBe(!want);
  });

  it("arrays and objects are equal only to themselves", () => {
    const ctx = { a: [1], o: { k: 1 } };
    expect(ev("a == a", ctx)).toBe(true);
    expect(ev("o == o", ctx)).toBe(true);
    expect(ev("a == fromJSON('[1]')", ctx)).toBe(false);
    expect(ev("o == 0", ctx)).toBe(false);
    expect(ev("a == ''", ctx)).toBe(false);
  });

  it("NaN is not equal to itself", () => {
    expect(ev("'abc' == 'abc'")).toBe(true);
    expect(ev("fromJSON('[]') == fromJSON('[]')")).toBe(false);
  });
});

describe("ordering < <= > >=", () => {
  it.each([
    ["1 < 2", true], ["2 <= 2", true], ["3 > 2", true], ["2 >= 3", false],
    ["'a' < 'b'", true], ["'B' > 'a'", true], ["'abc' <= 'ABC'", true],
    ["'10' > 9", true], ["true > false", true], ["null < 1", true], ["'x' < 1", false], ["'x' > 1", false],
  ])("%s → %s", (src, want) => expect(ev(src)).toBe(want));
});

describe("logical && || !", () => {
  it.each([
    ["true && 'x'", "x"], ["'' && 'x'", ""], ["0 || 'y'", "y"], ["'a' || 'b'", "a"], ["null || null", null],
    ["!''", true], ["!'a'", false], ["!0", true], ["!null", true], ["!fromJSON('[]')", false], ["!(1 == 1)", false],
  ])("%s → %j", (src, want) => expect(ev(src)).toEqual(want));
});

describe("property, index and filter access", () => {
  const ctx = {
    github: { event: { pull_request: { title: "T", labels: [{ name: "bug" }, { name: "ui" }] } } },
    matrix: { os: "linux" },
    obj: { a: { x: 1 }, b: { x: 2 } },
  };
  it.each([
    ["github.event.pull_request.title", "T"],
    ["github['event']['pull_request'].title", "T"],
    ["github.event.pull_request.labels[1].name", "ui"],
    ["github.event.pull_request.labels.*.name", ["bug", "ui"]],
    ["obj.*.x", [1, 2]],
    ["matrix.OS", "linux"],
    ["matrix.missing", null],
    ["github.event.nothing.deeper", null],
  ])("%s", (src, want) => expect(ev(src, ctx)).toEqual(want));
});

describe("functions", () => {
  const ctx = { arr: ["a", "B"], obj: { k: "v" } };
  it.each([
    ["contains('Hello', 'ELL')", true],
    ["contains(arr, 'b')", true],
    ["contains(arr, 'c')", false],
    ["startsWith('Hello', 'he')", true],
    ["endsWith('Hello', 'LO')", true],
    ["format('{0}-{1} {{x}}', 'a', 1)", "a-1 {x}"],
    ["join(arr, ',')", "a,B"],
    ["join('x')", "x"],
    ["toJSON(obj)", '{\n  "k": "v"\n}'],
    ["fromJSON('{\"a\":[1,true,null]}').a[1]", true],
    ["fromJSON('3') == 3", true],
    ["success()", true],
    ["always()", true],
    ["failure()", false],
    ["cancelled()", false],
  ])("%s", (src, want) => expect(ev(src, ctx)).toEqual(want));

  it("hashFiles needs a runner implementation", () => {
    expect(evaluateExpression("hashFiles('**/x')").ok).toBe(false);
    expect(evaluateExpression("hashFiles('**/x')", {}, { hashFiles: () => "abc" })).toEqual({ ok: true, value: "abc" });
  });
});

describe("templates and totality", () => {
  it("joins template pieces as strings", () => {
    expect(ev("node-${{ matrix.v }}-${{ true }}", { matrix: { v: 20 } })).toBe("node-20-true");
    expect(ev("${{ matrix.v }}", { matrix: { v: 20 } })).toBe(20);
    expect(ev("${{ '}}' }}")).toBe("}}");
  });

  it.each(["1 +", "foo(", "unknownctx.x", "nofunc()", "'unterminated", "a..b", "${{ 1", ")(", "".padEnd(30000, "a"), "fromJSON('{bad')"])(
    "returns an error for %j instead of throwing",
    (src) => {
      const r = evaluateExpression(src, { a: {} });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(typeof r.error).toBe("string");
    },
  );
});
