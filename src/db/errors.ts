import { Prisma } from "../generated/prisma/client";

/** A unique constraint refused the write (Prisma's P2002): the row it would have made exists already. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}
