-- The writing transaction of each row, so a sync can re-read what transactions still running at
-- its last look committed since (their seq may be lower than one it already saw).
ALTER TABLE "HospitalResource" ADD COLUMN "xid" xid8 NOT NULL DEFAULT pg_current_xact_id();

-- CreateIndex
CREATE INDEX "HospitalResource_xid_idx" ON "HospitalResource"("xid");
