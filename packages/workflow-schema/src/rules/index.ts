import { cron } from "./cron.js";
import { expressionTypes } from "./expression-types.js";
import { glob } from "./glob.js";
import { ids } from "./ids.js";
import { ifCond } from "./if-cond.js";
import { injection } from "./injection.js";
import { matrix } from "./matrix.js";
import { nativeInputs } from "./native-inputs.js";
import { needs } from "./needs.js";
import type { Rule } from "./rule.js";
import { runnerLabel } from "./runner-label.js";
import { timeout } from "./timeout.js";
import { uses } from "./uses.js";

/** Every rule, in the order they run. Each lives in its own file; the error code is the rule's. */
export const RULES: readonly Rule[] = [ids, needs, cron, glob, matrix, uses, nativeInputs, runnerLabel, timeout, ifCond, expressionTypes, injection];
