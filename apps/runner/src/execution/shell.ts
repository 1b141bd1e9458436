// GitHub's shell templates: the script file replaces {0}.
const TEMPLATES: Record<string, { argv: string[]; ext: string }> = {
  bash: { argv: ["bash", "--noprofile", "--norc", "-eo", "pipefail", "{0}"], ext: ".sh" },
  sh: { argv: ["sh", "-e", "{0}"], ext: ".sh" },
  python: { argv: ["python3", "{0}"], ext: ".py" },
};

/** The argv that runs `scriptPath`, or an error naming the valid shells. */
export function shellCommand(shell: string | undefined, scriptPath: string): { ok: true; argv: string[] } | { ok: false; error: string } {
  const name = (shell ?? "bash").trim();
  const known = TEMPLATES[name];
  if (known) return { ok: true, argv: known.argv.map((a) => (a === "{0}" ? scriptPath : a)) };
  // A custom shell must say where the script goes, as GitHub requires.
  if (name.includes("{0}")) return { ok: true, argv: name.split(/\s+/).filter(Boolean).map((a) => a.replace("{0}", scriptPath)) };
  return { ok: false, error: `shell ${JSON.stringify(name)} is not supported: use bash, sh, python or a command with {0}` };
}

export function scriptExtension(shell: string | undefined): string {
  return TEMPLATES[(shell ?? "bash").trim()]?.ext ?? "";
}
