-- AlterTable
ALTER TABLE "StaffUser" DROP COLUMN "failedLogins",
DROP COLUMN "lockedUntil",
ADD COLUMN     "credentialVersion" INTEGER NOT NULL DEFAULT 0;

