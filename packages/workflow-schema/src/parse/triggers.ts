import type { InputDef, Str, Trigger } from "../model";
import { scalarString, toPlain } from "../yaml/node";
import type { YNode, YPair } from "../yaml/node";
import { CALL_INPUT_TYPES, DISPATCH_INPUT_TYPES, FILTER_KEYS, GITHUB_EVENTS, SUPPORTED_EVENTS } from "./events-data";
import { quoteList } from "./reader";
import type { Reader } from "./reader";

const EVENTS_URL = "see https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#webhook-events for list of all Webhook event names";

/** `on:` as a string, a list of strings, or a mapping of event → configuration. */
export function parseTriggers(r: Reader, node: YNode): Trigger[] {
  const out: Trigger[] = [];
  if (node.kind === "scalar" && (node.value === null || node.value === "")) {
    r.sink.error(node.pos, "empty-value", `"on" section should not be empty`);
    return out;
  }
  if (node.kind === "scalar") {
    const s = r.str(node, "event name");
    if (s) pushEvent(r, out, s.value, s.pos);
    return out;
  }
  if (node.kind === "seq") {
    if (node.items.length === 0) r.sink.error(node.pos, "empty-value", `"on" section should not be empty`);
    for (const it of node.items) {
      const s = r.str(it, "element of \"on\" section");
      if (s) pushEvent(r, out, s.value, s.pos);
    }
    return out;
  }
  const pairs = r.map(node, "on") ?? [];
  if (pairs.length === 0) r.sink.error(node.pos, "empty-value", `"on" section should not be empty`);
  for (const p of pairs) {
    const name = scalarString(p.key);
    const t = pushEvent(r, out, name, p.key.pos, p.value.kind === "seq");
    if (t) configure(r, t, p);
  }
  return out;
}

function pushEvent(r: Reader, out: Trigger[], name: string, pos: Trigger["pos"], scheduleConfigured = false): Trigger | undefined {
  if (!(name in GITHUB_EVENTS)) {
    r.sink.error(pos, "unknown-event", `unknown Webhook event "${name}". ${EVENTS_URL}`);
    return undefined;
  }
  if (!SUPPORTED_EVENTS.includes(name)) {
    r.sink.error(pos, "unsupported-event", `event "${name}" is not supported by Gantry. supported events are ${quoteList(SUPPORTED_EVENTS)}`);
  }
  if (name === "schedule" && !scheduleConfigured) {
    r.sink.error(pos, "type-mismatch", "schedule event must be configured with mapping");
  }
  const t: Trigger = { event: name, pos };
  out.push(t);
  return t;
}

function configure(r: Reader, t: Trigger, p: YPair): void {
  const v = p.value;
  if (t.event === "schedule") return parseSchedule(r, t, v);
  if (v.kind === "scalar" && v.missing) return;
  if (t.event === "workflow_dispatch") return parseDispatch(r, t, v);
  if (t.event === "workflow_call") return parseCall(r, t, v);
  const pairs = r.map(v, `"${t.event}" section`);
  if (!pairs) return;
  const types = GITHUB_EVENTS[t.event];
  const allowed = FILTER_KEYS[t.event] ?? (types ? ["types"] : []);
  // GitHub ignores unknown keys in event configuration, so these are warnings.
  const found = r.keys(pairs, allowed.length ? allowed : ["types"], `"${t.event}" section`, "warning");
  if (!allowed.length && found.size) {
    for (const q of found.values()) r.sink.warn(q.key.pos, "unknown-key", `"${t.event}" event does not take any configuration`);
    return;
  }
  const list = (k: string): Str[] | undefined => {
    const q = found.get(k);
    return q ? r.strList(q.value, k) : undefined;
  };
  t.branches = list("branches");
  t.branchesIgnore = list("branches-ignore");
  t.tags = list("tags");
  t.tagsIgnore = list("tags-ignore");
  t.paths = list("paths");
  t.pathsIgnore = list("paths-ignore");
  t.types = list("types");
  t.workflows = list("workflows");
  // GitHub accepts it (SchemaStore's valid cases have a bare `workflow_run:`), but such a trigger never runs.
  if (t.event === "workflow_run" && !t.workflows) {
    r.sink.warn(p.key.pos, "missing-key", `"workflows" is missing in "workflow_run" section, so no run ever triggers it: name the workflows whose runs trigger this one`);
  }
  for (const k of ["names", "versions"]) {
    const q = found.get(k);
    if (q && q.value.kind !== "seq") r.sink.error(q.value.pos, "type-mismatch", `"${k}" section must be a sequence of strings`);
  }
  t.names = list("names");
  t.versions = list("versions");
  for (const [a, b] of [["branches", "branches-ignore"], ["tags", "tags-ignore"], ["paths", "paths-ignore"]] as const) {
    const qa = found.get(a);
    const qb = found.get(b);
    if (qa && qb) {
      const q = qa.key.pos.line > qb.key.pos.line || (qa.key.pos.line === qb.key.pos.line && qa.key.pos.col > qb.key.pos.col) ? qa : qb;
      r.sink.error(q.key.pos, "exclusive-filters", `both "${a}" and "${b}" filters cannot be used for the same event "${t.event}". note: use '!' to negate patterns`);
    }
  }
  if (t.types && Array.isArray(types)) {
    for (const ty of t.types) {
      if (!types.includes(ty.value)) {
        r.sink.error(ty.pos, "unknown-activity-type", `invalid activity type "${ty.value}" for "${t.event}" Webhook event. available types are ${quoteList(types)}`);
      }
    }
  }
}

function parseSchedule(r: Reader, t: Trigger, v: YNode): void {
  if (v.kind !== "seq") return;
  t.crons = [];
  if (v.items.length === 0) r.sink.error(v.pos, "empty-value", `"schedule" section should not be empty`);
  for (const it of v.items) {
    const pairs = r.map(it, "element of \"schedule\" section");
    if (!pairs) continue;
    const found = r.keys(pairs, ["cron", "timezone"], "element of \"schedule\" section");
    const c = found.get("cron");
    if (!c) {
      r.sink.error(it.pos, "missing-key", "\"cron\" is missing in element of \"schedule\" section");
      continue;
    }
    const s = r.str(c.value, "cron");
    if (s) t.crons.push(s);
    const tz = found.get("timezone");
    if (tz) {
      const z = r.str(tz.value, "timezone");
      if (z && !validTimezone(z.value)) {
        r.sink.error(z.pos, "invalid-timezone", `invalid timezone "${z.value}" in schedule event. it must be a valid IANA timezone name`);
      }
    }
  }
}

const timezones = new Map<string, boolean>();

function validTimezone(tz: string): boolean {
  if (!tz.includes("/")) return false;
  let ok = timezones.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    timezones.set(tz, ok);
  }
  return ok;
}

function parseDispatch(r: Reader, t: Trigger, v: YNode): void {
  const pairs = r.map(v, "workflow_dispatch");
  if (!pairs) return;
  for (const p of pairs) {
    if (scalarString(p.key) !== "inputs") r.sink.warn(p.key.pos, "unknown-key", `expected "inputs" key for "workflow_dispatch" section but got "${scalarString(p.key)}"`);
  }
  const inputs = pairs.find((p) => scalarString(p.key) === "inputs");
  if (!inputs) return;
  t.inputs = [];
  if (inputs.value.kind === "map" && inputs.value.pairs.length > 25) {
    r.sink.error(t.pos, "too-many-inputs", `maximum number of inputs for "workflow_dispatch" event is 25 but ${inputs.value.pairs.length} inputs are provided`);
  }
  for (const ip of r.map(inputs.value, `"inputs" section`, true) ?? []) {
    const name = scalarString(ip.key);
    const def: InputDef = { name, pos: ip.key.pos, type: "string", required: false };
    t.inputs.push(def);
    if (ip.value.kind === "scalar" && ip.value.missing) continue;
    const f = r.keys(r.map(ip.value, `"${name}" input`) ?? [], ["default", "deprecationMessage", "description", "options", "required", "type"], `"inputs" section`, "warning");
    const ty = f.get("type");
    if (ty) {
      const s = r.str(ty.value, "input type");
      if (s && !DISPATCH_INPUT_TYPES.includes(s.value)) r.sink.error(s.pos, "invalid-input-type", `input type of "${name}" must be one of ${quoteList(DISPATCH_INPUT_TYPES)} but got "${s.value}"`);
      if (s) def.type = s.value;
    }
    const req = f.get("required");
    if (req) def.required = r.bool(req.value, "\"required\"", "workflow-call-input-default") === true;
    const description = f.get("description");
    if (description && description.value.kind === "scalar") def.description = scalarString(description.value);
    const opt = f.get("options");
    if (opt) {
      const optStrs = r.strList(opt.value, "options");
      if (def.type === "choice" && optStrs.length === 0) r.sink.error(ip.key.pos, "missing-key", `input type of "${name}" is "choice" but "options" is not set`);
      def.options = optStrs.map((s) => s.value);
      if (def.type !== "choice") r.sink.error(ip.key.pos, "invalid-input-options", `"options" can not be set to "${name}" input because its input type is not "choice"`);
      const seen = new Set<string>();
      for (const s of optStrs) {
        if (seen.has(s.value)) r.sink.error(s.pos, "duplicate-option", `option "${s.value}" is duplicated in options of "${name}" input`);
        seen.add(s.value);
      }
    } else if (def.type === "choice") {
      r.sink.error(ip.key.pos, "missing-key", `input type of "${name}" is "choice" but "options" is not set`);
    }
    const d = f.get("default");
    if (d) {
      def.default = toPlain(d.value);
      const ds = d.value.kind === "scalar" ? scalarString(d.value) : "";
      if (def.type === "choice" && def.options && !def.options.includes(ds)) {
        r.sink.error(d.value.pos, "invalid-input-default", `default value "${ds}" of "${name}" input is not included in its options ${JSON.stringify(def.options.map((o) => `"${o}"`).join(", "))}`);
      }
      if (def.type === "number" && ds.trim() !== "" && Number.isNaN(Number(ds))) {
        r.sink.error(d.value.pos, "invalid-input-default", `type of "${name}" input is "number" but its default value "${ds}" cannot be parsed as a float number`);
      }
      if (def.type === "boolean" && ds !== "true" && ds !== "false") {
        r.sink.error(d.value.pos, "invalid-input-default", `type of "${name}" input is "boolean". its default value "${ds}" must be "true" or "false"`);
      }
    }
  }
}

function parseCall(r: Reader, t: Trigger, v: YNode): void {
  const pairs = r.map(v, "workflow_call");
  if (!pairs) return;
  const f = r.keys(pairs, ["inputs", "outputs", "secrets"], `"workflow_call" section`);
  t.inputs = [];
  for (const ip of r.map(f.get("inputs")?.value ?? { kind: "map", pos: t.pos, pairs: [] }, `"inputs" section`, true) ?? []) {
    const name = scalarString(ip.key);
    const def: InputDef = { name, pos: ip.key.pos, type: "any", required: false };
    t.inputs.push(def);
    const g = r.keys(r.map(ip.value, `"${name}" input`) ?? [], ["default", "description", "required", "type"], "inputs at workflow_call event");
    const ty = g.get("type");
    if (!ty) r.sink.error(ip.key.pos, "missing-key", `"type" is missing at "${name}" input of workflow_call event`);
    else {
      const s = r.str(ty.value, "input type");
      if (s && !CALL_INPUT_TYPES.includes(s.value)) r.sink.error(s.pos, "invalid-input-type", `invalid value "${s.value}" for input type of workflow_call event. it must be one of "boolean", "number", or "string"`);
      else if (s) def.type = s.value;
    }
    const req = g.get("required");
    if (req) def.required = r.bool(req.value, "\"required\"", "workflow-call-input-default") === true;
    const d = g.get("default");
    if (d) {
      def.default = toPlain(d.value);
      if (d.value.kind === "scalar") {
        r.site(d.value, "workflow-call-input-default", {}, false, {
          inputsBefore: t.inputs.slice(0, -1).map((i) => ({ name: i.name, type: i.type })),
          input: { name, type: def.type },
        });
        const ds = scalarString(d.value);
        if (def.type === "number" && typeof d.value.value !== "number" && !ds.includes("${{") && Number.isNaN(Number(ds))) {
          r.sink.error(d.value.pos, "invalid-input-default", `input of workflow_call event "${name}" is typed as number but its default value "${ds}" cannot be parsed as a float number`);
        }
        if (def.type === "boolean" && typeof d.value.value !== "boolean" && !ds.includes("${{")) {
          r.sink.error(d.value.pos, "invalid-input-default", `input of workflow_call event "${name}" is typed as boolean. its default value must be true or false but got "${ds}"`);
        }
        if (def.required) {
          r.sink.error(d.value.pos, "required-with-default", `input "${name}" of workflow_call event has the default value "${ds}", but it is also required. if an input is marked as required, its default value will never be used`);
        }
      }
    }
  }
  t.outputs = [];
  for (const op of r.map(f.get("outputs")?.value ?? { kind: "map", pos: t.pos, pairs: [] }, `"outputs" section`, true) ?? []) {
    const name = scalarString(op.key);
    const g = r.keys(r.map(op.value, `"${name}" output`) ?? [], ["description", "value"], "outputs at workflow_call event");
    const val = g.get("value");
    if (!val) r.sink.error(op.key.pos, "missing-key", `"value" is missing at "${name}" output of workflow_call event`);
    const s = val ? r.str(val.value, "output value", "workflow-call-output-value") : undefined;
    t.outputs.push({ name, pos: op.key.pos, ...(s ? { value: s } : {}) });
  }
  // absent `secrets:` means the caller may pass anything (`secrets: inherit`)
  if (f.has("secrets")) t.secrets = [];
  for (const sp of r.map(f.get("secrets")?.value ?? { kind: "map", pos: t.pos, pairs: [] }, `"secrets" section`, true) ?? []) {
    const name = scalarString(sp.key);
    const g = r.keys(sp.value.kind === "scalar" && sp.value.missing ? [] : (r.map(sp.value, `"${name}" secret`) ?? []), ["description", "required"], `"secrets" section`);
    const req = g.get("required");
    t.secrets?.push({ name, pos: sp.key.pos, required: req ? r.bool(req.value, "\"required\"", "workflow-call-input-default") === true : false });
  }
}
