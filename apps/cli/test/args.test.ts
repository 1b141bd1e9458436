// The command line → command table: every command's options and positionals, and the usage errors (exit 2) for
// everything else, before any server is asked.
import { describe, expect, it } from "vitest";
import { bytesOption, numberOption, parseCommand } from "../src/args";
import { dispatchInputs, workflowPath } from "../src/commands/dispatch";
import { poolInput } from "../src/commands/pools";
import { secretScope } from "../src/commands/secrets";
import type { CliIo, CommandContext } from "../src/context";
import { UsageError } from "../src/errors";

const usageError = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error("expected a usage error");
};
const contextOf = (argv: string[]): CommandContext => ({ command: parseCommand(argv), io: {} as CliIo, json: false });

describe("parseCommand", () => {
  it("reads grouped and single commands with their options and positionals", () => {
    expect(parseCommand(["runs", "list", "--repo", "acme/app", "--status", "failed", "--json"])).toEqual({ name: "runs list", values: { repo: "acme/app", status: "failed", json: true }, positionals: [], rest: [] });
    expect(parseCommand(["runs", "list", "--branch", "main", "--event", "push", "--actor", "alice", "--workflow", "ci", "--search", "#42", "--limit", "5", "--cursor", "MTIz"]).values).toEqual({ branch: "main", event: "push", actor: "alice", workflow: "ci", search: "#42", limit: "5", cursor: "MTIz" });
    expect(parseCommand(["dispatch", "acme/app", "ci", "--ref", "main", "-f", "a=1", "-f", "b=x=y"])).toEqual({ name: "dispatch", values: { ref: "main", field: ["a=1", "b=x=y"] }, positionals: ["acme/app", "ci"], rest: [] });
    expect(parseCommand(["logs", "run_1", "--job", "build", "--follow"]).values).toEqual({ job: "build", follow: true });
    expect(parseCommand(["validate", "--json", "a.yml"])).toEqual({ name: "validate", values: {}, positionals: [], rest: ["--json", "a.yml"] });
    expect(parseCommand([]).name).toBe("help");
    expect(parseCommand(["--help"]).name).toBe("help");
  });

  it("refuses unknown commands, missing subcommands, unknown options and the wrong number of arguments", () => {
    expect(usageError(() => parseCommand(["deploy"]))).toBe('unknown command "deploy" (gantry help lists them)');
    expect(usageError(() => parseCommand(["runs"]))).toBe("runs needs a subcommand: list, view, watch");
    expect(usageError(() => parseCommand(["secrets", "--repo", "x"]))).toBe("secrets needs a subcommand: list, set, delete");
    expect(usageError(() => parseCommand(["pools", "remove"]))).toBe('unknown command "pools remove" (gantry help lists them)');
    expect(usageError(() => parseCommand(["runs", "view"]))).toBe("gantry runs view takes ID, got none\nusage: gantry runs view ID [--tenant T] [--json]");
    expect(usageError(() => parseCommand(["cancel", "a", "b"]))).toMatch(/^gantry cancel takes ID, got "a" "b"\n/);
    expect(usageError(() => parseCommand(["runs", "watch", "r", "--job", "x"]))).toMatch(/^Unknown option '--job'/);
    expect(usageError(() => parseCommand(["runs", "list", "--limit"]))).toMatch(/^Option '--limit <value>' argument missing/);
  });
});

describe("option values", () => {
  it("numbers, sizes and lists are checked, naming the option", () => {
    expect(numberOption({ limit: "10" }, "limit", { max: 100 })).toBe(10);
    expect(usageError(() => numberOption({ limit: "0" }, "limit", { max: 100 }))).toBe('--limit needs a number from 1 to 100, not "0"');
    expect(usageError(() => numberOption({ limit: "ten" }, "limit"))).toMatch(/^--limit needs a number/);
    expect(bytesOption({ memory: "2G" }, "memory")).toBe(2 * 1024 ** 3);
    expect(bytesOption({ memory: "512MiB" }, "memory")).toBe(512 * 1024 ** 2);
    expect(bytesOption({ memory: "1000" }, "memory")).toBe(1000);
    expect(usageError(() => bytesOption({ memory: "lots" }, "memory"))).toBe('--memory needs a size like 512M, 2G or a byte count, not "lots"');
  });

  it("dispatch: workflow names and -f inputs", () => {
    expect(workflowPath("ci")).toBe(".gantry/workflows/ci.yml");
    expect(workflowPath("deploy.yaml")).toBe(".gantry/workflows/deploy.yaml");
    expect(workflowPath("./.github/workflows/ci.yml")).toBe(".github/workflows/ci.yml");
    expect(dispatchInputs(["env=prod", "note=a=b", "empty="])).toEqual({ env: "prod", note: "a=b", empty: "" });
    expect(usageError(() => dispatchInputs(["novalue"]))).toBe('-f takes name=value, not "novalue"');
    expect(usageError(() => dispatchInputs(["a=1", "a=2"]))).toBe('input "a" is given twice');
  });

  it("secrets: the scope from --repo and --env", () => {
    expect(secretScope({})).toEqual({ kind: "tenant" });
    expect(secretScope({ repo: "acme/app" })).toEqual({ kind: "repository", repository: "acme/app" });
    expect(secretScope({ repo: "acme/app", env: "prod" })).toEqual({ kind: "environment", repository: "acme/app", environment: "prod" });
    expect(usageError(() => secretScope({ env: "prod" }))).toBe("--env names an environment of a repository: add --repo OWNER/NAME");
  });

  it("pools create: runners.createPool's input, only the limits given", () => {
    expect(poolInput(contextOf(["pools", "create", "big", "--labels", "linux-x64, gpu", "--provider", "bwrap", "--cpus", "4", "--memory", "8G", "--egress", "allowlist", "--allow", "github.com,npmjs.org"]))).toEqual({
      name: "big",
      labels: ["linux-x64", "gpu"],
      provider: "bwrap",
      cpus: 4,
      memoryBytes: 8 * 1024 ** 3,
      egress: "allowlist",
      egressAllowlist: ["github.com", "npmjs.org"],
    });
    expect(usageError(() => poolInput(contextOf(["pools", "create", "p", "--provider", "bwrap"])))).toBe("gantry pools create needs --labels a,b (the runs-on labels the pool serves)");
    expect(usageError(() => poolInput(contextOf(["pools", "create", "p", "--labels", "x", "--provider", "docker"])))).toBe('--provider takes microvm, gvisor, bwrap, process, not "docker"');
    expect(usageError(() => poolInput(contextOf(["pools", "create", "p", "--labels", "x", "--provider", "process", "--allow", "a.com"])))).toBe("--allow goes with --egress allowlist");
  });
});
