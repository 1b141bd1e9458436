/**
 * Benchmark `masker`: the log masker alone (packages/runner-protocol/src/masker.ts), no I/O. Text is masked in
 * 64 KiB pieces of whole lines, as StepOutput hands it over. Three inputs: build-like log lines, 76-column base64
 * (the wrapped-form pass's worst case) and hex dumps; each with 4 secrets and 16 `::add-mask::` values, none
 * present, so every byte is scanned and nothing replaced. Timed in CPU time of this process (best of 3), which a
 * shared machine's load disturbs far less than wall time. Last line of output: one JSON object (MB/s per input).
 * Run: npx tsx bench/masker.ts   (GANTRY_BENCH_MASKER_MB, default 32, sets the size of each input)
 */
import { randomBytes } from "node:crypto";
import { Masker } from "@gantry/runner-protocol";

const megabytes = Number(process.env.GANTRY_BENCH_MASKER_MB ?? 32);
const target = megabytes * 1024 * 1024;
const PIECE = 64 * 1024;

// A deterministic generator so runs compare (no Math.random).
let state = 42;
const next = () => (state = (state * 1103515245 + 12345) & 0x7fffffff);
const words = ["compiling", "src/server/routers/runs/logs.handler.ts", "ok", "PASS", "warning:", "node_modules/.bin/tsc", "12.4s", "[INFO]", "Downloading", "https://registry.npmjs.org/zod/-/zod-4.1.0.tgz", "error TS2345:", "✓", "built in", "=>", "{\"level\":\"info\"}", "0x7ffd", "done."];

function buildLog(): string {
  const lines: string[] = [];
  let size = 0;
  while (size < target) {
    const n = 3 + (next() % 12);
    const line = Array.from({ length: n }, () => words[next() % words.length]).join(" ");
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join("\n")}\n`;
}

const wrappedBase64 = (): string => `${(randomBytes(Math.floor((target * 3) / 4)).toString("base64").match(/.{1,76}/g) ?? []).join("\n")}\n`;
const hexDump = (): string => `${(randomBytes(target / 2).toString("hex").match(/.{1,64}/g) ?? []).join("\n")}\n`;

/** Cuts text into pieces of about PIECE characters ending at a newline. */
function pieces(text: string): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; ) {
    const end = text.indexOf("\n", Math.min(text.length - 1, at + PIECE));
    const stop = end < 0 ? text.length : end + 1;
    out.push(text.slice(at, stop));
    at = stop;
  }
  return out;
}

function measure(name: string, masker: Masker, text: string): number {
  const parts = pieces(text);
  for (const part of parts.slice(0, 50)) masker.mask(part); // warm-up
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const started = process.cpuUsage();
    let changed = 0;
    for (const part of parts) if (masker.mask(part) !== part) changed++;
    const used = process.cpuUsage(started);
    const ms = (used.user + used.system) / 1000;
    best = Math.min(best, ms);
    if (changed > 0) console.log(`  (${name}: ${changed} pieces changed)`);
  }
  const mbs = text.length / 1024 / 1024 / (best / 1000);
  console.log(`${name.padEnd(28)} ${mbs.toFixed(1).padStart(8)} MB/s  (CPU time, best of 3, ${megabytes} MiB)`);
  return Math.round(mbs * 10) / 10;
}

const secrets = ["d3ploy-t0ken-value-9f8e7d", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "multi-line\nsecret-value-two", "p@ss w/ spaces & symbols!"];
const dynamic = Array.from({ length: 16 }, (_, i) => `masked-value-${i}-${randomBytes(6).toString("hex")}`);
const masker = new Masker([...secrets, ...dynamic]);
const none = new Masker();

const log = buildLog();
const results = {
  logNoSecrets: measure("log, no secrets", none, log),
  log: measure("log, 20 values", masker, log),
  base64Wrapped: measure("76-column base64, 20 values", masker, wrappedBase64()),
  hex: measure("hex lines, 20 values", masker, hexDump()),
};
console.log(JSON.stringify(results));
