// @gantry/db: the Prisma client behind a tenant-scoped access layer, the state machine, and migrations.
export { openDatabase, type Database } from "./database";
export { TenantScopeError, TENANT_MODELS, type TenantContext, type TenantClient } from "./tenant-scope";
export type { RawPrismaClient, SqlClient } from "./client";
export * as transitions from "./state/index";
export * from "./state/statuses";
export * from "./ids";
export { parseDbEnv, dbEnvSchema, type DbEnv } from "./env";
export type * from "./generated/prisma/models";
export type { Tenant, User, Membership, Repository, GitSource, WebhookDelivery, WorkflowRun, JobRun, JobAttempt, StepRun, RunnerPool, Runner, Secret, AuditEvent } from "./generated/prisma/client";
export * from "./generated/prisma/enums";
export { hashPassword, verifyPassword } from "./passwords";
export { newToken, hashToken, tokenMatches } from "./tokens";
export { seedDemo, DEMO, type SeedOptions } from "./seed";
export * from "./redis-keys";
export { secretStore, parseMasterKey, gitSourceSecretPurpose, SecretError, type SecretStore } from "./secrets";
export * as intake from "./intake/index";
export { Prisma } from "./generated/prisma/client";
export { describeDatabaseError } from "./database";
