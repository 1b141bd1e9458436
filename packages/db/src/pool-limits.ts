// A runner pool's resource limits between the database (BigInt byte counts; a file size of null meaning the
// disk limit) and the runner protocol's `poolLimits`, which validates them wherever they enter.
import { DEFAULT_POOL_LIMITS, poolLimits, type PoolLimits } from "@gantry/runner-protocol";

/** The `RunnerPool` columns that hold its limits (a Prisma `select`). */
export const POOL_LIMIT_COLUMNS = { cpus: true, memoryBytes: true, pids: true, diskBytes: true, fileSizeBytes: true, maxTimeoutMinutes: true } as const;

export interface PoolLimitRow {
  cpus: number;
  memoryBytes: bigint;
  pids: number;
  diskBytes: bigint;
  fileSizeBytes: bigint | null;
  maxTimeoutMinutes: number;
}

/** The limits as the protocol carries them; a row that fails validation (edited by hand) throws, never runs unlimited. */
export function poolLimitsOf(row: PoolLimitRow): PoolLimits {
  return poolLimits.parse({
    cpus: row.cpus,
    memoryBytes: Number(row.memoryBytes),
    pids: row.pids,
    diskBytes: Number(row.diskBytes),
    fileSizeBytes: Number(row.fileSizeBytes ?? row.diskBytes),
    maxTimeoutMinutes: row.maxTimeoutMinutes,
  });
}

/** The columns to write for limits given in part: validated, the rest the defaults. */
export function poolLimitData(limits: Partial<PoolLimits> = {}): PoolLimitRow {
  const valid = poolLimits.parse({ ...DEFAULT_POOL_LIMITS, ...limits });
  return { ...valid, memoryBytes: BigInt(valid.memoryBytes), diskBytes: BigInt(valid.diskBytes), fileSizeBytes: BigInt(valid.fileSizeBytes) };
}
