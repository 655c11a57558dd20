-- CreateEnum
CREATE TYPE "NotificationChannelKind" AS ENUM ('WEBHOOK', 'SLACK', 'DISCORD', 'TEAMS', 'PAGERDUTY', 'NTFY', 'EMAIL');

-- CreateEnum
CREATE TYPE "NotificationEvent" AS ENUM ('DOWN', 'UP', 'DEGRADED', 'UNREACHABLE', 'CERTIFICATE_EXPIRING', 'REMINDER', 'TEST', 'FLAPPING', 'STABLE');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('PENDING', 'SENT', 'FAILED', 'SUPPRESSED');

-- CreateTable
CREATE TABLE "NotificationChannel" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "NotificationChannelKind" NOT NULL,
    "url" TEXT,
    "secret" TEXT,
    "email" JSONB,
    "events" "NotificationEvent"[],
    "labels" TEXT[],
    "isDefault" BOOLEAN NOT NULL DEFAULT false,
    "remindEveryMinutes" INTEGER,
    "groupWindowSeconds" INTEGER NOT NULL DEFAULT 0,
    "rateLimitPerMinute" INTEGER NOT NULL DEFAULT 30,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "NotificationChannel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServiceNotificationChannel" (
    "serviceId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,

    CONSTRAINT "ServiceNotificationChannel_pkey" PRIMARY KEY ("serviceId","channelId")
);

-- CreateTable
CREATE TABLE "NotificationDelivery" (
    "id" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "event" "NotificationEvent" NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL,
    "sentAt" TIMESTAMPTZ(3),
    "lastError" TEXT,
    "dedupKey" TEXT,
    "summary" BOOLEAN NOT NULL DEFAULT false,
    "claimToken" TEXT,
    "claimedUntil" TIMESTAMPTZ(3),

    CONSTRAINT "NotificationDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationItem" (
    "id" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "serviceId" TEXT NOT NULL,
    "transitionId" TEXT,
    "previous" "ServiceStatus",
    "current" "ServiceStatus" NOT NULL,
    "message" TEXT,
    "reason" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "NotificationItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationFlap" (
    "serviceId" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "lastChangeAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "NotificationFlap_pkey" PRIMARY KEY ("serviceId")
);

-- CreateIndex
CREATE UNIQUE INDEX "NotificationChannel_name_key" ON "NotificationChannel"("name");

-- CreateIndex
CREATE INDEX "NotificationChannel_labels_idx" ON "NotificationChannel" USING GIN ("labels");

-- CreateIndex
CREATE INDEX "ServiceNotificationChannel_channelId_idx" ON "ServiceNotificationChannel"("channelId");

-- CreateIndex
CREATE UNIQUE INDEX "NotificationDelivery_dedupKey_key" ON "NotificationDelivery"("dedupKey");

-- CreateIndex
CREATE INDEX "NotificationDelivery_status_nextAttemptAt_idx" ON "NotificationDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "NotificationDelivery_channelId_id_idx" ON "NotificationDelivery"("channelId", "id" DESC);

-- CreateIndex
CREATE INDEX "NotificationItem_deliveryId_idx" ON "NotificationItem"("deliveryId");

-- CreateIndex
CREATE INDEX "NotificationItem_serviceId_deliveryId_idx" ON "NotificationItem"("serviceId", "deliveryId" DESC);

-- CreateIndex
CREATE INDEX "NotificationItem_transitionId_idx" ON "NotificationItem"("transitionId");

-- AddForeignKey
ALTER TABLE "ServiceNotificationChannel" ADD CONSTRAINT "ServiceNotificationChannel_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceNotificationChannel" ADD CONSTRAINT "ServiceNotificationChannel_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "NotificationChannel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "NotificationChannel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationItem" ADD CONSTRAINT "NotificationItem_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "NotificationDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationItem" ADD CONSTRAINT "NotificationItem_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;
