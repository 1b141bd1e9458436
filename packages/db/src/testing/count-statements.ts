// Counting what reaches Postgres: every statement any pg client of this process sends (Prisma's driver adapter, a
// transaction's BEGIN and COMMIT, plain SQL) while a recording is open — one entry per round trip. For tests that
// pin how many round trips a hot path takes, so a regression shows as a number.
import pg from "pg";

export interface StatementRecording {
  /** The statements sent so far, first words only (enough to tell them apart in a failure message). */
  readonly statements: readonly string[];
  stop(): void;
}

function textOf(first: unknown): string {
  const text = typeof first === "string" ? first : typeof first === "object" && first !== null && "text" in first ? String(first.text) : "?";
  return text.replace(/\s+/g, " ").trim().slice(0, 120);
}

/** Records the statements sent from now until stop(); one recording at a time. */
export function recordStatements(): StatementRecording {
  const proto = pg.Client.prototype;
  const original: unknown = Reflect.get(proto, "query");
  if (typeof original !== "function") throw new Error("pg.Client has no query method to count");
  const statements: string[] = [];
  Reflect.set(proto, "query", function (this: pg.Client, ...args: unknown[]): unknown {
    statements.push(textOf(args[0]));
    return Reflect.apply(original, this, args);
  });
  return {
    statements,
    stop: () => {
      Reflect.set(proto, "query", original);
    },
  };
}
