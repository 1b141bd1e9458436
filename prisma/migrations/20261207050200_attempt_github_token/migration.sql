-- The job's GITHUB_TOKEN, sealed on its attempt until it is revoked (apps/web runner-api/github-token.ts).
ALTER TABLE "JobAttempt" ADD COLUMN "githubTokenSealed" BYTEA;
