/**
 * The event catalogue (src/events/catalog.ts): names, documentation, and who may receive what (`mayReceive`, the
 * check the live feeds and webhook deliveries make per event).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Access, ACTIONS, membershipGrant, operatorGrant, partnerGrants } from "../../src/auth/permissions";
import { EVENT_TYPES, mayReceive, merchantsReceiving, receivableWhere } from "../../src/events/catalog";

const M = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";
const UNIT = { id: "33333333-3333-4333-8333-333333333333", merchantId: M };
const OTHER_UNIT = { id: "44444444-4444-4444-8444-444444444444", merchantId: M };

const administrator = new Access([membershipGrant({ merchantId: M, role: "ADMINISTRATOR", permissions: [], salesUnitIds: [] })]);
const assistant = new Access([membershipGrant({ merchantId: M, role: "ASSISTANT", permissions: [], salesUnitIds: [UNIT.id] })]);
const developerManager = new Access([membershipGrant({ merchantId: M, role: "SALES_UNIT_MANAGER", permissions: ["DEVELOPER"], salesUnitIds: [UNIT.id] })]);
const partner = new Access(partnerGrants(["SALES_UNITS_READ"], [UNIT]));
const operator = new Access([operatorGrant]);

const onUnit = (type: string, unit = UNIT) => ({ type, merchantId: unit.merchantId, salesUnitId: unit.id });
const merchantWide = (type: string, merchantId: string | null = M) => ({ type, merchantId, salesUnitId: null });

describe("the event catalogue", () => {
  it("names every type <aggregate>.<EVENT> once, each with its aggregate and an action of the permission model (or null)", () => {
    const types = EVENT_TYPES.map((entry) => entry.type);
    expect(new Set(types).size).toBe(types.length);
    for (const entry of EVENT_TYPES) {
      expect(entry.type).toMatch(/^[a-z][A-Za-z]*\.[A-Z][A-Z_]*$/);
      expect(entry.aggregateType).toMatch(/^[A-Z][A-Za-z]*$/);
      expect(entry.description.length).toBeGreaterThan(10);
      if (entry.requires !== null) expect(ACTIONS).toContain(entry.requires);
    }
  });

  it("documents every type in docs/events.md and in the README's table", () => {
    for (const file of ["docs/events.md", "README.md"]) {
      const text = readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
      expect(EVENT_TYPES.map((entry) => entry.type).filter((type) => !text.includes(`\`${type}\``)), file).toEqual([]);
    }
  });
});

describe("mayReceive", () => {
  it("gives a sales unit's events to whoever has the type's action on that unit, and to no one of another merchant", () => {
    expect(mayReceive(administrator, onUnit("salesUnit.DEACTIVATED"))).toBe(true);
    expect(mayReceive(assistant, onUnit("salesUnit.DEACTIVATED"))).toBe(true);
    expect(mayReceive(assistant, onUnit("salesUnit.DEACTIVATED", OTHER_UNIT))).toBe(false);
    expect(mayReceive(partner, onUnit("salesUnit.DEACTIVATED"))).toBe(true);
    expect(mayReceive(administrator, onUnit("salesUnit.DEACTIVATED", { id: UNIT.id, merchantId: OTHER }))).toBe(false);
  });

  it("asks for the type's own action: an Assistant gets payments but not QR codes or API key rotations", () => {
    expect(mayReceive(assistant, onUnit("transaction.CAPTURED"))).toBe(true);
    expect(mayReceive(assistant, onUnit("qrCode.CREATED"))).toBe(false);
    expect(mayReceive(assistant, onUnit("apiKeys.ROTATED"))).toBe(false);
    expect(mayReceive(developerManager, onUnit("apiKeys.ROTATED"))).toBe(true);
    expect(mayReceive(partner, onUnit("transaction.CAPTURED"))).toBe(false);
  });

  it("gives merchant-wide events to holders of the action in that merchant, and customer-service events to operators only", () => {
    expect(mayReceive(administrator, merchantWide("user.ADDED"))).toBe(true);
    expect(mayReceive(developerManager, merchantWide("user.ADDED"))).toBe(false);
    expect(mayReceive(developerManager, merchantWide("testUser.CREATED"))).toBe(true);
    expect(mayReceive(administrator, merchantWide("user.ADDED", OTHER))).toBe(false);
    expect(mayReceive(operator, merchantWide("merchantAgreement.SUBMITTED", null))).toBe(true);
    expect(mayReceive(administrator, merchantWide("merchantAgreement.SUBMITTED", null))).toBe(false);
    expect(mayReceive(administrator, merchantWide("partnerKey.CREATED", null))).toBe(false);
  });

  it("gives the events of a partner's webhook endpoint (no merchant's) to operators, and to no merchant's users", () => {
    expect(mayReceive(operator, merchantWide("webhookEndpoint.DISABLED", null))).toBe(true);
    expect(mayReceive(administrator, merchantWide("webhookEndpoint.DISABLED", null))).toBe(false);
    expect(mayReceive(developerManager, merchantWide("webhookEndpoint.DISABLED", null))).toBe(false);
    expect(mayReceive(partner, merchantWide("webhookEndpoint.DISABLED", null))).toBe(false);
    // A merchant's endpoint: its developers, not operators (they hold no DEVELOPER anywhere).
    expect(mayReceive(administrator, merchantWide("webhookEndpoint.DISABLED"))).toBe(true);
    expect(mayReceive(operator, merchantWide("webhookEndpoint.DISABLED"))).toBe(false);
  });

  it("gives a merchant's webhook endpoint events only to those who may read its endpoints: DEVELOPER on the whole merchant", () => {
    for (const type of EVENT_TYPES.filter((t) => t.aggregateType === "WebhookEndpoint").map((t) => t.type)) {
      // A Sales Unit Manager with DEVELOPER on one unit sees no endpoint through the API, so not their events either.
      expect(mayReceive(developerManager, merchantWide(type)), type).toBe(false);
      expect(mayReceive(administrator, merchantWide(type)), type).toBe(true);
    }
    // The `events` list's filter: the merchant-wide rows (no sales unit) only for the whole merchant's developers.
    const merchantWideRows = (access: Access) => JSON.stringify(receivableWhere(access, ["webhookEndpoint.CREATED"])).includes(`"salesUnitId":null,"merchantId":{"in":["${M}"]}`);
    expect(merchantWideRows(developerManager)).toBe(false);
    expect(merchantWideRows(administrator)).toBe(true);
  });

  it("delivers an unknown type to no one", () => {
    expect(mayReceive(operator, onUnit("salesUnit.PAINTED"))).toBe(false);
  });
});

describe("merchantsReceiving", () => {
  it("names the merchants where some of the types may be received, every merchant for operators, none when nothing may", () => {
    expect(merchantsReceiving(administrator, ["qrCode.CREATED"])).toEqual([M]);
    expect(merchantsReceiving(assistant, ["qrCode.CREATED"])).toEqual([]);
    expect(merchantsReceiving(assistant, ["qrCode.CREATED", "transaction.REQUESTED"])).toEqual([M]);
    expect(merchantsReceiving(operator, ["merchantAgreement.CREATED"])).toBe("*");
    expect(merchantsReceiving(administrator, ["merchantAgreement.CREATED"])).toEqual([]);
    expect(merchantsReceiving(operator, ["webhookEndpoint.DISABLED"])).toBe("*");
    expect(merchantsReceiving(operator, ["user.ADDED"])).toEqual([]);
  });
});
