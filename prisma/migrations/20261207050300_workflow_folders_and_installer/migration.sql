-- Workflow folders per repository: .gantry/workflows (on by default) and .github/workflows (on for every
-- GitHub-connected repository, existing ones included; plain git repositories keep what they had).
ALTER TABLE "Repository" ADD COLUMN "readGantryWorkflows" BOOLEAN NOT NULL DEFAULT true;
UPDATE "Repository" SET "readGithubWorkflows" = true WHERE "installationId" IS NOT NULL OR "githubRepoId" IS NOT NULL;

-- The installation's sender, made the tenant's admin at their first GitHub sign-in.
ALTER TABLE "Installation" ADD COLUMN "senderLogin" TEXT;
ALTER TABLE "Installation" ADD COLUMN "senderGithubId" BIGINT;

-- GitHub's numeric user id, matched at GitHub sign-in.
ALTER TABLE "User" ADD COLUMN "githubId" BIGINT;
CREATE UNIQUE INDEX "User_githubId_key" ON "User"("githubId");

-- A pull request run on its merge commit reports its checks on the pull request's head commit.
ALTER TABLE "WorkflowRun" ADD COLUMN "headSha" TEXT;
