-- AlterEnum
ALTER TYPE "ServiceStatus" ADD VALUE 'MAINTENANCE';

-- AlterTable
ALTER TABLE "CheckRollup" ADD COLUMN     "maintenanceChecks" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "MaintenanceWindow" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3) NOT NULL,
    "recurrence" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "labels" TEXT[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "MaintenanceWindow_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MaintenanceWindowService" (
    "windowId" TEXT NOT NULL,
    "serviceId" TEXT NOT NULL,

    CONSTRAINT "MaintenanceWindowService_pkey" PRIMARY KEY ("windowId","serviceId")
);

-- CreateIndex
CREATE UNIQUE INDEX "MaintenanceWindow_name_key" ON "MaintenanceWindow"("name");

-- CreateIndex
CREATE INDEX "MaintenanceWindowService_serviceId_idx" ON "MaintenanceWindowService"("serviceId");

-- AddForeignKey
ALTER TABLE "MaintenanceWindowService" ADD CONSTRAINT "MaintenanceWindowService_windowId_fkey" FOREIGN KEY ("windowId") REFERENCES "MaintenanceWindow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MaintenanceWindowService" ADD CONSTRAINT "MaintenanceWindowService_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;
