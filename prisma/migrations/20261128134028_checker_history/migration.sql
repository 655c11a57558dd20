-- CreateEnum
CREATE TYPE "ServiceStatus" AS ENUM ('UNKNOWN', 'UP', 'DEGRADED', 'DOWN', 'PAUSED');

-- CreateEnum
CREATE TYPE "CheckFailureReason" AS ENUM ('DNS', 'CONNECT_REFUSED', 'CONNECT_TIMEOUT', 'TLS', 'TIMEOUT', 'HTTP_STATUS', 'BODY_MISMATCH', 'BODY_TOO_LARGE', 'REDIRECT_LIMIT', 'NETWORK', 'POLICY');

-- CreateTable
CREATE TABLE "LastKnownState" (
    "serviceId" TEXT NOT NULL,
    "status" "ServiceStatus" NOT NULL,
    "since" TIMESTAMPTZ(3),
    "lastCheckedAt" TIMESTAMPTZ(3),
    "latencyMs" DOUBLE PRECISION,
    "httpStatus" INTEGER,
    "message" TEXT,
    "reason" "CheckFailureReason",
    "consecutiveFailures" INTEGER NOT NULL,
    "consecutiveSuccesses" INTEGER NOT NULL,
    "certificateExpiresAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LastKnownState_pkey" PRIMARY KEY ("serviceId")
);

-- CreateTable
CREATE TABLE "StatusChange" (
    "id" TEXT NOT NULL,
    "serviceId" TEXT NOT NULL,
    "previous" "ServiceStatus" NOT NULL,
    "current" "ServiceStatus" NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "message" TEXT,

    CONSTRAINT "StatusChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CheckRollup" (
    "serviceId" TEXT NOT NULL,
    "minute" TIMESTAMPTZ(0) NOT NULL,
    "checks" INTEGER NOT NULL,
    "failures" INTEGER NOT NULL,
    "degraded" INTEGER NOT NULL,
    "latencySumMs" DOUBLE PRECISION NOT NULL,
    "latencyMinMs" DOUBLE PRECISION NOT NULL,
    "latencyMaxMs" DOUBLE PRECISION NOT NULL,
    "latencyBuckets" INTEGER[],

    CONSTRAINT "CheckRollup_pkey" PRIMARY KEY ("serviceId","minute")
);

-- CreateIndex
CREATE INDEX "StatusChange_serviceId_id_idx" ON "StatusChange"("serviceId", "id" DESC);

-- CreateIndex
CREATE INDEX "StatusChange_at_idx" ON "StatusChange"("at");

-- CreateIndex
CREATE INDEX "CheckRollup_minute_idx" ON "CheckRollup"("minute");

-- AddForeignKey
ALTER TABLE "LastKnownState" ADD CONSTRAINT "LastKnownState_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StatusChange" ADD CONSTRAINT "StatusChange_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckRollup" ADD CONSTRAINT "CheckRollup_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE CASCADE ON UPDATE CASCADE;
