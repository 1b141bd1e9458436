#!/usr/bin/env node
// The installed `gantry` (node_modules/.bin/gantry, `npx gantry`). tsx is resolved from this file's own place, not
// from the directory the command runs in, so the bin works from anywhere (a bare `npx tsx` shebang does not).
import { register } from "tsx/esm/api";

register();
await import("../src/bin.ts");
