-- AlterTable
ALTER TABLE "LastKnownState" ADD COLUMN     "version" BIGINT NOT NULL DEFAULT 0;
