-- CreateTable
CREATE TABLE "ScheduledTimer" (
    "queue" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ScheduledTimer_pkey" PRIMARY KEY ("queue","jobId")
);

-- CreateIndex
CREATE INDEX "ScheduledTimer_dueAt_idx" ON "ScheduledTimer"("dueAt");
