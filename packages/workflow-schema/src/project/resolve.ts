/** `./a/../b/` → `b`: a repository-relative POSIX path, or undefined when it leaves the repository. */
export function repoPath(uses: string): string | undefined {
  const out: string[] = [];
  for (const seg of uses.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.pop() === undefined) return undefined;
    } else out.push(seg);
  }
  return out.join("/");
}

export function isWorkflowPath(p: string, dirs: readonly string[]): boolean {
  return /\.ya?ml$/.test(p) && dirs.some((d) => p.startsWith(d.endsWith("/") ? d : d + "/") && !p.slice(d.length + 1).includes("/"));
}
