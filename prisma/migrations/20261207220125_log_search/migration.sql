-- CreateTable
CREATE TABLE "LogLine" (
    "id" BIGSERIAL NOT NULL,
    "tenantId" TEXT NOT NULL,
    "attemptId" TEXT NOT NULL,
    "stepIndex" INTEGER NOT NULL,
    "lineNumber" INTEGER NOT NULL,
    "text" TEXT NOT NULL,

    CONSTRAINT "LogLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LogIndexState" (
    "attemptId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "lines" INTEGER NOT NULL,
    "indexedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LogIndexState_pkey" PRIMARY KEY ("attemptId")
);

-- CreateIndex
CREATE INDEX "LogLine_tenantId_id_idx" ON "LogLine"("tenantId", "id");

-- CreateIndex
CREATE INDEX "LogLine_text_idx" ON "LogLine" USING GIN ("text" gin_trgm_ops);

-- CreateIndex
CREATE UNIQUE INDEX "LogLine_attemptId_stepIndex_lineNumber_key" ON "LogLine"("attemptId", "stepIndex", "lineNumber");

-- CreateIndex
CREATE INDEX "LogIndexState_tenantId_idx" ON "LogIndexState"("tenantId");

-- AddForeignKey
ALTER TABLE "LogLine" ADD CONSTRAINT "LogLine_attemptId_fkey" FOREIGN KEY ("attemptId") REFERENCES "JobAttempt"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LogIndexState" ADD CONSTRAINT "LogIndexState_attemptId_fkey" FOREIGN KEY ("attemptId") REFERENCES "JobAttempt"("id") ON DELETE CASCADE ON UPDATE CASCADE;
