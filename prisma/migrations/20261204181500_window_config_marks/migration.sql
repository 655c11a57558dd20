-- AlterTable
ALTER TABLE "MaintenanceWindow" ADD COLUMN     "configRefs" JSONB,
ADD COLUMN     "managedBy" TEXT;
