import { describe, expect, it } from "vitest";
import { PrismaClientKnownRequestError } from "@prisma/client/runtime/client";
import { loggableError } from "../../src/app";

describe("error logging", () => {
  it("keeps a Prisma error's class, code and model but not the quoted call with its arguments", () => {
    const error = new PrismaClientKnownRequestError('Invalid `prisma.portalUser.create()` invocation:\n{ data: { nin: "01017012345" } }', {
      code: "P2002",
      clientVersion: "7",
      meta: { modelName: "PortalUser" },
    });
    const logged = loggableError(error);
    expect(logged).toMatchObject({ type: "PrismaClientKnownRequestError", code: "P2002", model: "PortalUser" });
    expect(JSON.stringify(logged)).not.toContain("01017012345");
  });

  it("logs other errors as they are", () => {
    const error = new TypeError("boom");
    expect(loggableError(error)).toBe(error);
  });
});
