/** Start-up on an empty database: migrations, one signing key and one demo seed, even with two instances racing. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { loadConfig } from "../../src/config";
import { createDatabase, databaseUrlWithName, dropDatabase } from "../../src/db/admin";
import { startGateway, type RunningGateway } from "../../src/server";
import { TEST_ENCRYPTION_KEY } from "../support/constants";

describe("start-up on an empty database", () => {
  const adminUrl = inject("adminUrl");
  const database = `portal_boot_${randomBytes(4).toString("hex")}`;
  const scratch = mkdtempSync(path.join(tmpdir(), "portal-boot-"));
  const running: RunningGateway[] = [];

  afterAll(async () => {
    await Promise.all(running.map((gateway) => gateway.stop()));
    await dropDatabase(adminUrl, database);
    rmSync(scratch, { recursive: true, force: true });
  });

  it("seeds once and agrees on one signing key when two instances start at the same moment", async () => {
    await createDatabase(adminUrl, database);
    const config = (name: string) =>
      loadConfig({
        DATABASE_URL: databaseUrlWithName(adminUrl, database),
        PORT: "0",
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        SEED_DEMO_DATA: "true",
        DEV_LOGIN: "true",
        PERSONAS_PATH: path.join(scratch, `${name}.json`),
        LOG_LEVEL: "silent",
      });
    running.push(...(await Promise.all([startGateway(config("a")), startGateway(config("b"))])));
    const db = running[0]!.services.db;
    expect(await db.merchant.count()).toBe(3);
    expect(await db.signingKey.count()).toBe(1);

    // A token from one instance is accepted by the other: they share the key.
    const personasFile = ["a", "b"].map((name) => path.join(scratch, `${name}.json`)).find((file) => {
      try {
        return readFileSync(file, "utf8").length > 0;
      } catch {
        return false;
      }
    })!;
    const admin = (JSON.parse(readFileSync(personasFile, "utf8")) as { key: string; nin: string; method: string }[]).find((p) => p.key === "no-admin")!;
    const login = await fetch(`${running[0]!.url}/auth/dev/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ nin: admin.nin, method: admin.method }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const response = await fetch(`${running[1]!.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ query: "{ viewer { kind } }" }),
    });
    expect(await response.json()).toEqual({ data: { viewer: { kind: "USER" } } });
  }, 120_000);
});
