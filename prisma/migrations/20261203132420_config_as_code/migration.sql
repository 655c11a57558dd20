-- AlterTable
ALTER TABLE "NotificationChannel" ADD COLUMN     "configRefs" JSONB,
ADD COLUMN     "managedBy" TEXT;

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "configRefs" JSONB,
ADD COLUMN     "managedBy" TEXT;

-- AlterTable
ALTER TABLE "StatusPage" ADD COLUMN     "configRefs" JSONB,
ADD COLUMN     "managedBy" TEXT;
