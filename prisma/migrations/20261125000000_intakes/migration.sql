-- CreateTable
CREATE TABLE "Intake" (
    "id" UUID NOT NULL,
    "sourceKey" TEXT NOT NULL,
    "patientId" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "channelUserId" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "rulesVersion" TEXT NOT NULL,
    "triageAcuity" INTEGER NOT NULL,
    "acuity" INTEGER NOT NULL,
    "department" TEXT NOT NULL,
    "reviewRequired" BOOLEAN NOT NULL,
    "bookingUrgency" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'new',
    "reviewedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Intake_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IntakeEvent" (
    "id" UUID NOT NULL,
    "intakeId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "staffId" UUID,
    "kind" TEXT NOT NULL,
    "content" TEXT NOT NULL,

    CONSTRAINT "IntakeEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Intake_sourceKey_key" ON "Intake"("sourceKey");

-- CreateIndex
CREATE INDEX "Intake_status_acuity_createdAt_idx" ON "Intake"("status", "acuity", "createdAt");

-- CreateIndex
CREATE INDEX "Intake_patientId_idx" ON "Intake"("patientId");

-- CreateIndex
CREATE INDEX "IntakeEvent_intakeId_at_idx" ON "IntakeEvent"("intakeId", "at");

-- AddForeignKey
ALTER TABLE "Intake" ADD CONSTRAINT "Intake_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IntakeEvent" ADD CONSTRAINT "IntakeEvent_intakeId_fkey" FOREIGN KEY ("intakeId") REFERENCES "Intake"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IntakeEvent" ADD CONSTRAINT "IntakeEvent_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "StaffUser"("id") ON DELETE SET NULL ON UPDATE CASCADE;

