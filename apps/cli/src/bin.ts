// What the installed `gantry` runs (bin/gantry.mjs): main() with this process's ends.
import os from "node:os";
import { text } from "node:stream/consumers";
import { main } from "./main";

process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  write: (chunk) => process.stdout.write(chunk),
  err: (line) => process.stderr.write(`${line}\n`),
  readStdin: () => text(process.stdin),
  stdinIsTTY: process.stdin.isTTY === true,
  fetch: (input, init) => fetch(input, init),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => new Date(),
  hostname: os.hostname(),
});
