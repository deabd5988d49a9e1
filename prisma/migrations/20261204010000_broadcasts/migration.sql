-- CreateTable
CREATE TABLE "Broadcast" (
    "id" UUID NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "audience" JSONB NOT NULL,
    "texts" JSONB NOT NULL,
    "sentBy" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'sending',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Broadcast_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BroadcastRecipient" (
    "id" UUID NOT NULL,
    "broadcastId" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "channelUserId" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "run" TEXT,
    "callKey" TEXT,
    "reason" TEXT,
    "settledAt" TIMESTAMP(3),

    CONSTRAINT "BroadcastRecipient_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Broadcast_idempotencyKey_key" ON "Broadcast"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Broadcast_status_idx" ON "Broadcast"("status");

-- CreateIndex
CREATE INDEX "Broadcast_createdAt_idx" ON "Broadcast"("createdAt");

-- CreateIndex
CREATE INDEX "BroadcastRecipient_broadcastId_channel_state_locale_idx" ON "BroadcastRecipient"("broadcastId", "channel", "state", "locale");

-- CreateIndex
CREATE INDEX "BroadcastRecipient_patientId_idx" ON "BroadcastRecipient"("patientId");

-- CreateIndex
CREATE UNIQUE INDEX "BroadcastRecipient_broadcastId_patientId_key" ON "BroadcastRecipient"("broadcastId", "patientId");

-- AddForeignKey
ALTER TABLE "BroadcastRecipient" ADD CONSTRAINT "BroadcastRecipient_broadcastId_fkey" FOREIGN KEY ("broadcastId") REFERENCES "Broadcast"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BroadcastRecipient" ADD CONSTRAINT "BroadcastRecipient_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

