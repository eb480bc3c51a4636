/**
 * N+1 sweep: every list on the root, read with what its items reach (their fields, their objects' fields, the first
 * items of their lists), costs as many statements for a page of many items as for a page of one. The selections are
 * made from schema.graphql, so a list or field added later is swept too; fields the caller may not read answer with
 * their errors, and the statements still count. Two levels deep: at three, a larger page reaches whole subtrees a page
 * of one does not (an approved agreement's merchant with its accesses, nine batched statements), and the count can no
 * longer tell those from a statement per item; the larger selections also meet the cost limit.
 */
import { readFileSync } from "node:fs";
import { buildSchema, getNamedType, isLeafType, isNonNullType, isObjectType, type GraphQLField, type GraphQLObjectType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { waitFor } from "../events/support";
import { administerEveryMerchant, quietestStatements, startTestGateway, type TestGateway } from "../support/gateway";
import { mutate, succeeded } from "../support/mutate";

const schema = buildSchema(readFileSync(new URL("../../schema.graphql", import.meta.url), "utf8"));

const callable = (field: GraphQLField<unknown, unknown>) => field.args.every((arg) => !isNonNullType(arg.type) || arg.defaultValue !== undefined);

/** Every field of `type` that needs no argument, and `depth` levels of what it reaches (lists: their first three). */
function selection(type: GraphQLObjectType, depth: number): string {
  const parts: string[] = ["__typename"];
  for (const field of Object.values(type.getFields())) {
    if (!callable(field) || field.deprecationReason) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) {
      parts.push(field.name);
      continue;
    }
    if (!isObjectType(named) || depth === 0) continue;
    if (named.name.endsWith("Connection") && named.getFields().nodes) {
      const node = getNamedType(named.getFields().nodes!.type) as GraphQLObjectType;
      const first = field.args.some((arg) => arg.name === "first") ? "(first: 3)" : "";
      const total = named.getFields().totalCount ? "totalCount " : "";
      parts.push(`${field.name}${first} { ${total}nodes { ${selection(node, depth - 1)} } }`);
    } else {
      parts.push(`${field.name} { ${selection(named, depth - 1)} }`);
    }
  }
  return parts.join(" ");
}

/** The root's paged lists. */
const query = schema.getQueryType()!;
const lists = Object.values(query.getFields()).filter((field) => {
  const named = getNamedType(field.type);
  return isObjectType(named) && named.name.endsWith("Connection") && field.args.some((arg) => arg.name === "first") && callable(field);
});

describe("statements per page of every root list, whatever the page size", () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    // The resolvers: the compiled read path answers a page in one statement anyway (sql-count.test.ts).
    gateway = await startTestGateway({ COMPILED_READS: "false" });
    await administerEveryMerchant(gateway, "se-assistant");
    await addListItems(gateway);
  });
  afterAll(async () => gateway?.stop());

  /** The lists each persona's pages had several items of: a list nobody reaches two items of is not swept at all. */
  const swept = new Map<string, Set<string>>();

  /** The statements of a page and its size. */
  async function page(token: string, field: string, node: GraphQLObjectType, first: number) {
    const text = `{ ${field}(first: ${first}) { nodes { ${selection(node, 2)} } } }`;
    const { statements, response } = await quietestStatements<Record<string, { nodes: unknown[] } | null>>(gateway, token, text);
    return { statements, size: response.data?.[field]?.nodes.length ?? 0 };
  }

  // An Administrator of one merchant and one of them all, a partner acting for its merchants, customer service.
  describe.each(["no-admin", "se-assistant", "partner", "operator"])("%s", (persona) => {
    it.for(lists.map((field) => ({ name: field.name, field })))("$name", async ({ field }, context) => {
      const token = await gateway.token(persona);
      const node = getNamedType((getNamedType(field.type) as GraphQLObjectType).getFields().nodes!.type) as GraphQLObjectType;
      const one = await page(token, field.name, node, 1);
      const many = await page(token, field.name, node, 20);
      // A page of one item says nothing about how the statements grow with the items.
      if (many.size < 2) return context.skip();
      swept.set(field.name, (swept.get(field.name) ?? new Set()).add(persona));
      // A statement per item would add one for every item more. Fewer may be added: a batch that only a larger page
      // needs (the owner of a sales unit that the one item did not reach, say, for a permission check).
      const added = many.statements.length - one.statements.length;
      expect(added, `${many.size} items:\n${many.statements.map((sql) => sql.slice(0, 120)).join("\n")}`).toBeLessThan(many.size - one.size);
    });
  });

  it("swept every list with pages of several items for someone", () => {
    const unswept = lists.map((field) => field.name).filter((name) => !swept.has(name));
    // A new list the seed and addListItems below leave with fewer than two items for every persona: give it some.
    expect(unswept).toEqual([]);
  });
});

/**
 * What the seed has fewer than two of for any persona, made through the API: events, webhook endpoints (a merchant's
 * and the partner's), product orders, recurring applications and agreement applications.
 */
async function addListItems(gateway: TestGateway): Promise<void> {
  const admin = await gateway.token("no-admin");
  const partner = await gateway.token("partner");
  const db = gateway.services.db;
  const merchantId = gateway.persona("no-admin").merchantId!;
  const units = await db.salesUnit.findMany({ where: { msn: { in: gateway.persona("no-admin").salesUnits }, environment: "PRODUCTION", status: "ACTIVE" }, orderBy: { msn: "asc" } });
  const partnerId = encodeGlobalID("Partner", (await db.partner.findFirstOrThrow({ where: { name: gateway.persona("partner").name } })).id);
  for (const [i, unit] of units.slice(0, 3).entries()) {
    const salesUnitId = encodeGlobalID("SalesUnit", unit.id);
    succeeded(await mutate(gateway, admin, "createQrCode", { salesUnitId, name: `Sweep ${i}`, url: "https://shop.example/qr" }));
    const url = `https://hooks.example.com/sweep/${i}`;
    succeeded(await mutate(gateway, admin, "createWebhookEndpoint", { merchantId, url, eventTypes: ["qrCode.CREATED"], salesUnitIds: [salesUnitId] }, "secret"));
    succeeded(await mutate(gateway, partner, "createWebhookEndpoint", { partnerId, url, eventTypes: ["qrCode.CREATED"] }, "secret"));
    succeeded(await mutate(gateway, admin, "orderProduct", { merchantId, product: "ONLINE_PAYMENTS", partnerId, salesUnitName: `Sweep ${i}` }));
    succeeded(await mutate(gateway, admin, "requestRecurring", { salesUnitId, monthlyRevenue: 100_000, description: `Sweep ${i}` }));
    succeeded(await mutate(gateway, admin, "createMerchantAgreement", { merchantName: `Sweep ${i} AS`, organizationNumber: "123456785", country: "NO" }));
  }
  // Only events the relay has numbered are listed.
  await waitFor("the QR codes' events to be numbered", async () => (await db.outboxEvent.count({ where: { type: "qrCode.CREATED", deliverySeq: { not: null } } })) >= 3);
}
