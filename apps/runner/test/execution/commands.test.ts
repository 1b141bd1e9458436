import { describe, expect, it } from "vitest";
import { parseKeyValueFile, parsePathFile } from "../../src/execution/file-commands";
import { parseWorkflowCommand } from "../../src/execution/workflow-commands";
import { shellCommand } from "../../src/execution/shell";

describe("file commands", () => {
  it("reads name=value and name<<DELIMITER blocks", () => {
    const text = "a=1\nmulti<<EOF\nline one\nline=two\nEOF\nb=x=y\r\nempty=\n";
    expect(parseKeyValueFile(text, "GITHUB_OUTPUT")).toEqual({ ok: true, values: { a: "1", multi: "line one\nline=two", b: "x=y", empty: "" } });
  });

  it("names a missing delimiter and a malformed line", () => {
    expect(parseKeyValueFile("x<<END\nno end\n", "GITHUB_ENV")).toEqual({ ok: false, error: 'GITHUB_ENV: matching delimiter "END" not found for x' });
    expect(parseKeyValueFile("just text\n", "GITHUB_ENV")).toMatchObject({ ok: false, error: expect.stringMatching(/line 1/) });
  });

  it("reads GITHUB_PATH lines", () => {
    expect(parsePathFile("/opt/a\n\n/opt/b\r\n")).toEqual(["/opt/a", "/opt/b"]);
  });
});

describe("workflow commands", () => {
  it("parses properties and unescapes GitHub's encoding", () => {
    expect(parseWorkflowCommand("::error file=app.js,line=10,col=5,title=Bad%2C bad::oops%0Anext")).toEqual({
      name: "error",
      properties: { file: "app.js", line: "10", col: "5", title: "Bad, bad" },
      message: "oops\nnext",
    });
    expect(parseWorkflowCommand("not ::a command")).toBeUndefined();
  });
});

describe("shells", () => {
  it("uses GitHub's templates", () => {
    expect(shellCommand(undefined, "/s")).toEqual({ ok: true, argv: ["bash", "--noprofile", "--norc", "-eo", "pipefail", "/s"] });
    expect(shellCommand("sh", "/s")).toEqual({ ok: true, argv: ["sh", "-e", "/s"] });
    expect(shellCommand("perl {0}", "/s")).toEqual({ ok: true, argv: ["perl", "/s"] });
    expect(shellCommand("pwsh", "/s")).toMatchObject({ ok: false });
  });
});
