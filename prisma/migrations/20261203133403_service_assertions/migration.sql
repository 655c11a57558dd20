-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "assertions" JSONB NOT NULL DEFAULT '[]';
