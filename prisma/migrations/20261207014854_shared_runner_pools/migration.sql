-- AlterTable
ALTER TABLE "RunnerPool" ADD COLUMN     "shared" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "RunnerPoolTenant" (
    "poolId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "secrets" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunnerPoolTenant_pkey" PRIMARY KEY ("poolId","tenantId")
);

-- CreateIndex
CREATE INDEX "RunnerPoolTenant_tenantId_idx" ON "RunnerPoolTenant"("tenantId");

-- AddForeignKey
ALTER TABLE "RunnerPoolTenant" ADD CONSTRAINT "RunnerPoolTenant_poolId_fkey" FOREIGN KEY ("poolId") REFERENCES "RunnerPool"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Existing pools without a tenant (issue #13 item 7). They served every tenant, secrets included.
-- With a single tenant, such a pool simply becomes that tenant's own: nothing changes for it.
UPDATE "RunnerPool" SET "tenantId" = (SELECT "id" FROM "Tenant")
WHERE "tenantId" IS NULL AND (SELECT count(*) FROM "Tenant") = 1;

-- With several, it stays shared and every existing tenant keeps using it, but without secrets: a job that needs
-- secrets is not sent there until the tenant opts in (docs/secrets.md), so no secret leaves on upgrade.
UPDATE "RunnerPool" SET "shared" = true WHERE "tenantId" IS NULL;
INSERT INTO "RunnerPoolTenant" ("poolId", "tenantId", "secrets")
SELECT "RunnerPool"."id", "Tenant"."id", false FROM "RunnerPool" CROSS JOIN "Tenant" WHERE "RunnerPool"."shared";

-- No CHECK ties "shared" to "tenantId" (schema.prisma cannot state one): the filters fail closed instead. A pool
-- with a tenant serves it only while not shared; a pool neither shared nor owned serves nobody.
