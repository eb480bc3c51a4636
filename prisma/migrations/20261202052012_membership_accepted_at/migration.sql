-- AlterTable
ALTER TABLE "Membership" ADD COLUMN     "acceptedAt" TIMESTAMP(3);

-- Accesses that existed before acceptance was recorded count as accepted: their merchants already knew the people.
UPDATE "Membership" SET "acceptedAt" = "createdAt";
