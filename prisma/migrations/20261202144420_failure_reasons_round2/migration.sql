-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "CheckFailureReason" ADD VALUE 'ASSERTION';
ALTER TYPE "CheckFailureReason" ADD VALUE 'DNS_RCODE';
ALTER TYPE "CheckFailureReason" ADD VALUE 'GRPC_STATUS';
ALTER TYPE "CheckFailureReason" ADD VALUE 'PROTOCOL';
ALTER TYPE "CheckFailureReason" ADD VALUE 'AUTH';
ALTER TYPE "CheckFailureReason" ADD VALUE 'HEARTBEAT_MISSED';
ALTER TYPE "CheckFailureReason" ADD VALUE 'HEARTBEAT_FAILED';
