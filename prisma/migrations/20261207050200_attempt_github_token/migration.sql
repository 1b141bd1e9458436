-- The job's GITHUB_TOKEN, sealed on its attempt until it is revoked (apps/web runner-api/github-token.ts).
ALTER TABLE "JobAttempt" ADD COLUMN "githubTokenSealed" BYTEA;

-- The reaper's token sweep reads only attempts that still hold one (IS NOT NULL).
CREATE INDEX "JobAttempt_githubTokenSealed_idx" ON "JobAttempt"("githubTokenSealed");
