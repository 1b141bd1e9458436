-- The run list (issue #17). IF NOT EXISTS: on a large installation an operator may build these first with
-- CREATE INDEX CONCURRENTLY under the same names (this transaction would hold writes to WorkflowRun meanwhile).

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- DropIndex
DROP INDEX IF EXISTS "WorkflowRun_tenantId_status_idx";

-- CreateIndex
CREATE INDEX IF NOT EXISTS "WorkflowRun_tenantId_createdAt_id_event_status_idx" ON "WorkflowRun"("tenantId", "createdAt", "id", "event", "status");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "WorkflowRun_tenantId_status_createdAt_id_idx" ON "WorkflowRun"("tenantId", "status", "createdAt", "id");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "WorkflowRun_tenantId_repositoryId_createdAt_id_status_idx" ON "WorkflowRun"("tenantId", "repositoryId", "createdAt", "id", "status");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "WorkflowRun_tenantId_ref_createdAt_id_status_idx" ON "WorkflowRun"("tenantId", "ref", "createdAt", "id", "status");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "WorkflowRun_tenantId_triggeredBy_createdAt_id_status_idx" ON "WorkflowRun"("tenantId", "triggeredBy", "createdAt", "id", "status");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "WorkflowRun_tenantId_workflowPath_createdAt_id_status_idx" ON "WorkflowRun"("tenantId", "workflowPath", "createdAt", "id", "status");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "WorkflowRun_tenantId_sha_idx" ON "WorkflowRun"("tenantId", "sha");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "WorkflowRun_workflowName_idx" ON "WorkflowRun" USING GIN ("workflowName" gin_trgm_ops);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "StateTransition_tenantId_entity_id_idx" ON "StateTransition"("tenantId", "entity", "id");
