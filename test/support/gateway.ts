/**
 * A real gateway on a real database for one test file: clones the seeded template, starts the server on a free
 * port, and offers small helpers to log in as a persona and send GraphQL over HTTP.
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { inject } from "vitest";
import { loadConfig } from "../../src/config";
import { createDatabase, databaseUrlWithName, dropDatabase } from "../../src/db/admin";
import { startGateway, type RunningGateway } from "../../src/server";
import type { Persona } from "../../src/seed";
import { TEST_ENCRYPTION_KEY } from "./constants";

export interface TestGateway extends RunningGateway {
  databaseUrl: string;
  personas: Persona[];
  persona(key: string): Persona;
  /** SQL statements seen since the last `resetQueries()`. */
  queries: string[];
  resetQueries(): void;
  login(persona: Persona | string): Promise<string>;
  /** A persona's token, logged in once per gateway. */
  token(personaKey: string): Promise<string>;
  graphql<T = Record<string, unknown>>(token: string | null, query: string, variables?: Record<string, unknown>, operationName?: string): Promise<GraphQLResponse<T>>;
}

export interface GraphQLResponse<T> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

export interface TestGatewayOptions {
  /** Start another instance on this gateway's database (which the first instance's `stop` drops). */
  sharing?: TestGateway;
  /** Where the gateway logs (by default nowhere: LOG_LEVEL=silent). */
  logger?: Logger;
}

export async function startTestGateway(env: Record<string, string> = {}, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const adminUrl = inject("adminUrl");
  const database = options.sharing ? null : `portal_test_${randomBytes(6).toString("hex")}`;
  if (database) await createDatabase(adminUrl, database, { template: inject("templateDatabase") });
  const databaseUrl = database ? databaseUrlWithName(adminUrl, database) : options.sharing!.databaseUrl;
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    DEV_LOGIN: "true",
    SEED_DEMO_DATA: "false",
    LOG_LEVEL: "silent",
    ...env,
  });
  const queries: string[] = [];
  const running = await startGateway(config, { onQuery: (sql) => queries.push(sql), ...(options.logger ? { logger: options.logger } : {}) });
  const personas = JSON.parse(inject("personasJson")) as Persona[];
  const persona = (key: string) => {
    const found = personas.find((p) => p.key === key);
    if (!found) throw new Error(`No persona ${key}`);
    return found;
  };

  const tokens = new Map<string, string>();
  const gateway: TestGateway = {
    ...running,
    databaseUrl,
    personas,
    persona,
    queries,
    resetQueries: () => {
      queries.length = 0;
    },
    stop: async () => {
      await running.stop();
      if (database) await dropDatabase(adminUrl, database);
    },
    token: async (personaKey) => {
      if (!tokens.has(personaKey)) tokens.set(personaKey, await gateway.login(personaKey));
      return tokens.get(personaKey)!;
    },
    login: async (who) => {
      const p = typeof who === "string" ? persona(who) : who;
      if (p.clientId) return accessToken(running.url, p.clientId, p.clientSecret!, p.subscriptionKey!);
      const body = p.operator ? { operator: true } : { nin: p.nin, method: p.method };
      const response = await fetch(`${running.url}/auth/dev/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`Login as ${p.key} failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { accessToken: string }).accessToken;
    },
    graphql: async (token, query, variables, operationName) => {
      const response = await fetch(`${running.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables, operationName }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
  };
  return gateway;
}

export async function accessToken(baseUrl: string, clientId: string, clientSecret: string, subscriptionKey: string): Promise<string> {
  const response = await fetch(`${baseUrl}/accesstoken/get`, {
    method: "POST",
    headers: { client_id: clientId, client_secret: clientSecret, "Ocp-Apim-Subscription-Key": subscriptionKey },
  });
  if (!response.ok) throw new Error(`Token request failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/**
 * Makes a persona an Administrator of every merchant of the seed (a group's finance team, say), before its first login
 * on `gateway`: the seed has nobody who administers more than one.
 */
export async function administerEveryMerchant(gateway: TestGateway, personaKey: string): Promise<void> {
  const db = gateway.services.db;
  const user = await db.portalUser.findFirstOrThrow({ where: { name: gateway.persona(personaKey).name }, select: { id: true } });
  for (const { id: merchantId } of await db.merchant.findMany({ select: { id: true } })) {
    await db.membership.upsert({
      where: { userId_merchantId: { userId: user.id, merchantId } },
      create: { userId: user.id, merchantId, role: "ADMINISTRATOR", acceptedAt: new Date() },
      update: { role: "ADMINISTRATOR" },
    });
  }
}

/**
 * The SQL statements of one GraphQL request and its answer. The request is sent once first (caches warm up), then three
 * times: background jobs share the statement log, so the quietest try counts.
 */
export async function quietestStatements<T = Record<string, unknown>>(
  gateway: TestGateway,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
  operationName?: string,
): Promise<{ statements: string[]; response: GraphQLResponse<T> }> {
  await gateway.graphql(token, query, variables, operationName);
  const tries: { statements: string[]; response: GraphQLResponse<T> }[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    gateway.resetQueries();
    const response = await gateway.graphql<T>(token, query, variables, operationName);
    tries.push({ statements: [...gateway.queries], response });
  }
  return tries.sort((a, b) => a.statements.length - b.statements.length)[0]!;
}
