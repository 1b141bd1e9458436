import type { Str } from "../model";
import { validateGlob } from "../triggers/glob";
import type { GlobKind } from "../triggers/glob";
import type { Rule } from "./rule";

/** Branch, tag and path filter patterns must be valid GitHub globs. */
export const glob: Rule = ({ wf, sink }) => {
  const check = (list: Str[] | undefined, kind: GlobKind): void => {
    for (const s of list ?? []) {
      if (s.value.includes("${{")) continue;
      for (const issue of validateGlob(s.value, kind)) {
        const quoted = s.node?.style === "quoted" ? 1 : 0;
        sink.error({ line: s.pos.line, col: s.pos.col + quoted + (s.value.includes("\n") ? 0 : issue.offset) }, "invalid-glob", issue.message);
      }
    }
  };
  for (const j of wf.jobs) check(j.snapshotVersion ? [j.snapshotVersion] : undefined, "ref");
  for (const t of wf.triggers) {
    check(t.branches, "ref");
    check(t.branchesIgnore, "ref");
    check(t.tags, "ref");
    check(t.tagsIgnore, "ref");
    check(t.paths, "path");
    check(t.pathsIgnore, "path");
    check(t.names, "ref");
    check(t.versions, "ref");
  }
};
