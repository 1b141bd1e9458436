/** Static types of expression values, for checking context access at validation time. */
export type Ty =
  | { k: "any" }
  | { k: "null" }
  | { k: "bool" }
  | { k: "number" }
  | { k: "string" }
  | { k: "array"; elem: Ty }
  /** strict: only `props` exist. Otherwise any key exists and has type `elem`. */
  | { k: "object"; props: Record<string, Ty>; strict: boolean; elem: Ty };

export const ANY: Ty = { k: "any" };
export const STRING: Ty = { k: "string" };
export const NUMBER: Ty = { k: "number" };
export const BOOL: Ty = { k: "bool" };
export const NULL: Ty = { k: "null" };

export function obj(props: Record<string, Ty>, strict = true): Ty {
  return { k: "object", props, strict, elem: ANY };
}

export function mapOf(elem: Ty): Ty {
  return { k: "object", props: {}, strict: false, elem };
}

export function arr(elem: Ty): Ty {
  return { k: "array", elem };
}

export function tyString(t: Ty, depth = 0): string {
  switch (t.k) {
    case "array":
      return `array<${tyString(t.elem, depth + 1)}>`;
    case "object": {
      if (!t.strict && Object.keys(t.props).length === 0) return t.elem.k === "any" ? "object" : `{string => ${tyString(t.elem, depth + 1)}}`;
      if (depth > 1) return "object";
      const ps = Object.keys(t.props)
        .sort()
        .map((k) => `${k}: ${tyString(t.props[k] ?? ANY, depth + 1)}`);
      return `{${ps.join("; ")}}`;
    }
    default:
      return t.k;
  }
}

/** Type of `t.name` (case-insensitive like GitHub), or undefined when a strict object lacks it. */
export function propType(t: Ty, name: string): Ty | undefined {
  if (t.k !== "object") return ANY;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(t.props)) if (k.toLowerCase() === lower) return v;
  return t.strict ? undefined : t.elem;
}

/** Type of a JSON value (matrix rows, input defaults). */
export function typeOfValue(v: unknown, strict = false): Ty {
  if (v === null || v === undefined) return NULL;
  if (typeof v === "string") return v.includes("${{") ? ANY : STRING;
  if (typeof v === "number") return NUMBER;
  if (typeof v === "boolean") return BOOL;
  if (Array.isArray(v)) return arr(v.length ? merge(v.map((x) => typeOfValue(x, strict))) : ANY);
  if (typeof v === "object") {
    const props: Record<string, Ty> = {};
    for (const [k, x] of Object.entries(v)) props[k] = typeOfValue(x, strict);
    return obj(props, strict);
  }
  return ANY;
}

/** The loosest type covering all of `ts`. */
export function merge(ts: readonly Ty[]): Ty {
  const first = ts[0];
  if (!first) return ANY;
  let out: Ty = first;
  for (const t of ts.slice(1)) {
    if (t.k !== out.k) return ANY;
    if (t.k === "object" && out.k === "object") {
      const props: Record<string, Ty> = { ...out.props };
      for (const [k, v] of Object.entries(t.props)) {
        const prev = props[k];
        props[k] = prev ? merge([prev, v]) : v;
      }
      out = { k: "object", props, strict: out.strict && t.strict, elem: ANY };
    } else if (t.k === "array" && out.k === "array") out = arr(merge([out.elem, t.elem]));
  }
  return out;
}
