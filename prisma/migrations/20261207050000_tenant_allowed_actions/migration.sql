-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "allowedActions" JSONB NOT NULL DEFAULT '{"kind":"all"}';
