-- CreateTable
CREATE TABLE "QueueTicket" (
    "id" UUID NOT NULL,
    "department" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'waiting',
    "appointmentId" TEXT,
    "appointmentStart" TIMESTAMP(3),
    "acuity" INTEGER,
    "checkedInAt" TIMESTAMP(3) NOT NULL,
    "queuedAt" TIMESTAMP(3) NOT NULL,
    "sortAt" TIMESTAMP(3) NOT NULL,
    "room" TEXT,
    "calledAt" TIMESTAMP(3),
    "doneAt" TIMESTAMP(3),
    "recalls" INTEGER NOT NULL DEFAULT 0,
    "requeued" BOOLEAN NOT NULL DEFAULT false,
    "transfers" INTEGER NOT NULL DEFAULT 0,
    "address" TEXT NOT NULL,
    "addressKey" TEXT NOT NULL,
    "patientId" UUID,
    "locale" TEXT NOT NULL,

    CONSTRAINT "QueueTicket_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "QueueCounter" (
    "department" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "QueueCounter_pkey" PRIMARY KEY ("department","day")
);

-- CreateIndex
CREATE UNIQUE INDEX "QueueTicket_appointmentId_key" ON "QueueTicket"("appointmentId");

-- CreateIndex
CREATE INDEX "QueueTicket_department_day_status_idx" ON "QueueTicket"("department", "day", "status");

-- CreateIndex
CREATE INDEX "QueueTicket_addressKey_day_idx" ON "QueueTicket"("addressKey", "day");

-- CreateIndex
CREATE UNIQUE INDEX "QueueTicket_department_day_number_key" ON "QueueTicket"("department", "day", "number");

-- AddForeignKey
ALTER TABLE "QueueTicket" ADD CONSTRAINT "QueueTicket_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE SET NULL ON UPDATE CASCADE;

