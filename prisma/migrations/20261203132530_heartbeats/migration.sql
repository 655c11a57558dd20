-- AlterTable
ALTER TABLE "LastKnownState" ADD COLUMN     "lastPingAt" TIMESTAMPTZ(3),
ADD COLUMN     "runStartedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "pushTokenHash" TEXT;
