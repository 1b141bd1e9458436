// gantry validate: workflow-schema's own command (its parser, flags and output), with this machine's files.
import fs from "node:fs";
import path from "node:path";
import { main as validateMain } from "@gantry/workflow-schema/cli";
import type { CommandContext } from "../context";

export function validate(context: CommandContext): number {
  return validateMain(["validate", ...context.command.rest], {
    readFile: (file) => fs.readFileSync(file, "utf8"),
    listFiles: (root) =>
      fs
        .readdirSync(root, { recursive: true, encoding: "utf8" })
        .map((file) => file.split(path.sep).join("/"))
        .filter((file) => !file.includes("node_modules/") && !file.startsWith(".git/") && fs.statSync(path.join(root, file)).isFile()),
    out: (text) => context.io.out(text),
    err: (text) => context.io.err(text),
  });
}
