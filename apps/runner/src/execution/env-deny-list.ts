// Variables a step may not hand to the steps after it through GITHUB_ENV: each makes a program run code it was not
// asked to (a library preloaded, a script sourced, a command git runs), so one step — a third-party action, a
// compromised dependency — could take over later steps that hold secrets it was not given. GitHub's runner refuses
// NODE_OPTIONS the same way. A step's own `env:` may still set any of them: the workflow's author wrote that.
// Not refused, on purpose: PYTHONSTARTUP (read by interactive Python only), PATH-like variables (GITHUB_PATH and
// PATH itself are the documented way to add tools), and variables legitimately set in CI that only tune a program
// (JAVA_TOOL_OPTIONS, PYTHONPATH): refusing them would break common workflows for little.

const EXACT = new Set([
  // Interpreters and the dynamic loader.
  "NODE_OPTIONS",
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "LD_AUDIT",
  "PERL5OPT",
  "RUBYOPT",
  // Shells: a file sourced at start, code run before each prompt or each traced command (`set -x` expands PS4).
  "BASH_ENV",
  "ENV",
  "PS4",
  "PROMPT_COMMAND",
  "SHELLOPTS",
  "BASHOPTS",
  // git: programs it runs, and where it finds its own.
  "GIT_SSH",
  "GIT_SSH_COMMAND",
  "GIT_ASKPASS",
  "SSH_ASKPASS",
  "GIT_EXEC_PATH",
  "GIT_PROXY_COMMAND",
  "GIT_EXTERNAL_DIFF",
  "GIT_TEMPLATE_DIR",
  "GIT_CONFIG",
]);
// GIT_CONFIG_COUNT/KEY_n/VALUE_n/PARAMETERS/GLOBAL/SYSTEM set any config (core.sshCommand, core.hooksPath);
// BASH_FUNC_* are exported shell functions, which replace commands in every bash.
const PREFIXES = ["GIT_CONFIG_", "BASH_FUNC_"];

/** The names among `names` that GITHUB_ENV refuses (compared without case, as GitHub does). */
export function refusedEnvNames(names: Iterable<string>): string[] {
  return [...names].filter((name) => {
    const upper = name.toUpperCase();
    return EXACT.has(upper) || PREFIXES.some((prefix) => upper.startsWith(prefix));
  });
}

export const refusedEnvMessage = (name: string) => `Can't store ${name} using '$GITHUB_ENV': it would make the steps after this one run code they did not ask for; set it in a step's env: instead`;
