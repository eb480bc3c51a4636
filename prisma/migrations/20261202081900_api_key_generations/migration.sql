-- AlterTable
ALTER TABLE "ApiKeys" ADD COLUMN     "primaryKeyGeneration" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "secondaryKeyGeneration" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "secretGeneration" INTEGER NOT NULL DEFAULT 0;
