import { cron } from "./cron";
import { expressionTypes } from "./expression-types";
import { glob } from "./glob";
import { ids } from "./ids";
import { ifCond } from "./if-cond";
import { injection } from "./injection";
import { matrix } from "./matrix";
import { nativeInputs } from "./native-inputs";
import { needs } from "./needs";
import type { Rule } from "./rule";
import { runnerLabel } from "./runner-label";
import { timeout } from "./timeout";
import { uses } from "./uses";
import { services } from "./services";

/** Every rule, in the order they run. Each lives in its own file; the error code is the rule's. */
export const RULES: readonly Rule[] = [ids, needs, cron, glob, matrix, uses, nativeInputs, runnerLabel, timeout, services, ifCond, expressionTypes, injection];
