import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, found from this file's place in packages/db/src. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const SCHEMA_PATH = path.join(REPO_ROOT, "prisma/schema.prisma");
