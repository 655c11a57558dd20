-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'HTTP',
ADD COLUMN     "kindOptions" JSONB NOT NULL DEFAULT '{}';
