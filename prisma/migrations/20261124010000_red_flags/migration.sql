-- DropIndex
DROP INDEX "Patient_phone_idx";

-- CreateTable
CREATE TABLE "RedFlagEvent" (
    "id" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "patientId" UUID,
    "channel" TEXT NOT NULL,
    "channelUserId" TEXT NOT NULL,
    "phrase" TEXT NOT NULL,
    "phraseLocale" TEXT NOT NULL,
    "emergencyNumber" TEXT NOT NULL,

    CONSTRAINT "RedFlagEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RedFlagEvent_at_idx" ON "RedFlagEvent"("at");

-- CreateIndex
CREATE INDEX "RedFlagEvent_patientId_idx" ON "RedFlagEvent"("patientId");

-- CreateIndex
CREATE INDEX "Patient_phone_birthDate_idx" ON "Patient"("phone", "birthDate");

-- AddForeignKey
ALTER TABLE "RedFlagEvent" ADD CONSTRAINT "RedFlagEvent_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE SET NULL ON UPDATE CASCADE;

