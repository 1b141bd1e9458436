import type { Pos } from "../errors";
import type { ExprWhere, Service } from "../model";
import { nodeKindName, scalarString } from "../yaml/node";
import type { YNode } from "../yaml/node";
import { isExpression } from "./reader";
import type { Reader, Scope } from "./reader";

const CONTAINER_KEYS = ["credentials", "env", "image", "options", "ports", "volumes"];
const SERVICE_KEYS = ["command", "credentials", "entrypoint", "env", "image", "options", "ports", "volumes"];

/** A job `container:` or one `services.<id>` entry: same shape, services may also set command/entrypoint. */
export function parseContainerLike(r: Reader, id: string, keyPos: Pos, n: YNode, kind: "container" | "services", scope: Scope): Service {
  const svc: Service = { id, pos: keyPos, env: {}, ports: [], volumes: [] };
  const where: ExprWhere = kind === "container" ? "job-container" : "job-services";
  if (n.kind === "scalar" && kind === "container") {
    svc.image = r.str(n, "container image", where, scope);
    return svc;
  }
  const pairs = r.map(n, kind === "container" ? "container" : `"${id}" service`) ?? [];
  const f = r.keys(pairs, kind === "container" ? CONTAINER_KEYS : SERVICE_KEYS, `"${kind}" section`);
  const im = f.get("image");
  if (im) svc.image = r.str(im.value, "image", where, scope);
  else if (n.kind === "map") r.sink.error(keyPos, "missing-key", `"image" is missing in ${kind === "container" ? "container" : `service "${id}"`}`);
  const env = f.get("env");
  if (env) svc.env = r.strMap(env.value, "env", kind === "container" ? "job-container-env" : "job-services-env", scope);
  for (const k of ["ports", "volumes"] as const) {
    const q = f.get(k);
    if (!q) continue;
    if (q.value.kind !== "seq" && !(q.value.kind === "scalar" && typeof q.value.value === "string" && isExpression(q.value.value))) {
      r.sink.error(q.value.pos, "type-mismatch", `"${k}" section must be sequence node but got ${nodeKindName(q.value)} node`);
      continue;
    }
    svc[k] = r.strList(q.value, k, where, scope).map((s) => s.value);
  }
  const opt = f.get("options");
  if (opt) svc.options = r.str(opt.value, "options", where, scope)?.value;
  for (const k of ["command", "entrypoint"]) {
    const q = f.get(k);
    if (q) r.str(q.value, k, where, scope);
  }
  const cred = f.get("credentials");
  if (cred) parseCredentials(r, cred.key.pos, cred.value, kind === "container" ? "job-container-credentials" : "job-services-credentials", scope);
  return svc;
}

function parseCredentials(r: Reader, keyPos: Pos, n: YNode, where: ExprWhere, scope: Scope): void {
  if (n.kind === "scalar" && typeof n.value === "string" && isExpression(n.value)) {
    r.site(n, where, scope, false, { expect: "object", section: "credentials" });
    return;
  }
  if (n.kind === "map" && n.pairs.length === 0) {
    r.sink.error(n.pos, "empty-value", `"credentials" section should not be empty. please remove this section if it's unnecessary`);
  }
  const pairs = r.map(n, "credentials") ?? [];
  const f = r.keys(pairs, ["password", "username"], `"credentials" section`);
  for (const q of f.values()) r.str(q.value, scalarString(q.key), where, scope);
  if (!f.has("username") || !f.has("password")) {
    r.sink.error(keyPos, "missing-key", `both "username" and "password" must be specified in "credentials" section`);
  }
}
