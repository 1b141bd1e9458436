/** A Prisma unique-constraint violation (P2002): the row a create would make already exists. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}
