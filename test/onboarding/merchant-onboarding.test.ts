/**
 * Becoming a merchant through the real API: an applicant's draft agreement, its checks on submission, the
 * operator's approval (the merchant and its Administrator appear) or rejection; then the company details.
 */
import { encodeGlobalID } from "@pothos/plugin-relay";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/gateway";
import { mutate } from "../support/mutate";
import { uuidOf } from "../support/ids";
import { MAX_DRAFT_AGREEMENTS } from "../../src/services/onboarding";

let gateway: TestGateway;
const db = () => gateway.services.db;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => gateway?.stop());

const token = (key: string) => gateway.token(key);

const globalId = (uuid: string) => encodeGlobalID("MerchantAgreement", uuid);

const AGREEMENT = "id status merchantName organizationNumber country contactEmail postalCode rejectionReason merchant { id name }";
type Agreement = { id: string; status: string; merchantName: string; organizationNumber: string; country: string; contactEmail: string | null; rejectionReason: string | null; merchant: { id: string; name: string } | null };

const call = async (who: string, field: string, input: Record<string, unknown>) => mutate<Agreement>(gateway, await token(who), field, input, AGREEMENT);

async function snapshot() {
  return {
    agreements: await db().merchantAgreement.findMany({ orderBy: { id: "asc" } }),
    merchants: await db().merchant.count(),
    memberships: await db().membership.count(),
    audit: await db().auditEvent.count(),
  };
}

/** Valid and taken organisation numbers (check digits verified by hand: NO and FI mod-11). */
const EQUINOR = "923609016";
const NOKIA = "0112038-9";
const TAKEN_NO = "921874537";

/** A Finnish Y-tunnus with its check digit (weights 7 9 10 5 8 4 2, mod 11), from the seven digits of `base` (its own check digit ignored). */
function yTunnus(base: string): string {
  const digits = base.slice(0, 7);
  const remainder = [7, 9, 10, 5, 8, 4, 2].reduce((sum, w, i) => sum + w * Number(digits[i]), 0) % 11;
  if (remainder === 1) throw new Error(`${digits} has no valid check digit`);
  return `${digits}-${remainder === 0 ? 0 : 11 - remainder}`;
}

async function draft(who: string, fields: Record<string, unknown> = {}) {
  const { result } = await call(who, "createMerchantAgreement", { merchantName: "Polarlys Kafé AS", organizationNumber: EQUINOR, country: "NO", contactEmail: "post@polarlys.no", ...fields });
  expect(result!.__typename).toBe("MutationCreateMerchantAgreementSuccess");
  return result!.data!;
}

describe("merchant agreements", () => {
  it("are drafted and edited freely by a person without a merchant, then submitted with normalised values", async () => {
    const created = await draft("applicant", { organizationNumber: "923 609", contactEmail: null, postalCode: "90" });
    expect(created).toMatchObject({ status: "DRAFT", organizationNumber: "923 609" });
    const edited = await call("applicant", "updateMerchantAgreement", { agreementId: created.id, organizationNumber: "923 609 016", contactEmail: "Post@Polarlys.NO", postalCode: "9008" });
    expect(edited.result).toMatchObject({ data: { status: "DRAFT", organizationNumber: "923 609 016" } });
    const submitted = await call("applicant", "submitMerchantAgreement", { agreementId: created.id });
    expect(submitted.result).toMatchObject({ __typename: "MutationSubmitMerchantAgreementSuccess", data: { status: "SUBMITTED", organizationNumber: EQUINOR, contactEmail: "Post@polarlys.no" } });
    expect(await db().auditEvent.count({ where: { objectId: uuidOf(created.id), action: { startsWith: "merchantAgreement." } } })).toBe(3);
  });

  it("are checked on submission: organisation number per country, name length, e-mail, postal code, market; a refusal changes nothing", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ organizationNumber: "923609017" }, "organizationNumber"],
      [{ country: "DK", organizationNumber: "1234567" }, "organizationNumber"],
      [{ country: "FI", organizationNumber: "0112038-8" }, "organizationNumber"],
      [{ merchantName: "x".repeat(51) }, "merchantName"],
      [{ contactEmail: "post@polarlys" }, "contactEmail"],
      [{ contactEmail: null }, "contactEmail"],
      [{ postalCode: "90080" }, "postalCode"],
      [{ country: "SE", organizationNumber: "5560360793" }, "country"],
    ];
    for (const [fields, field] of cases) {
      const created = await draft("applicant", fields);
      const before = await snapshot();
      const { result } = await call("applicant", "submitMerchantAgreement", { agreementId: created.id });
      expect(result, JSON.stringify(fields)).toMatchObject({ __typename: "ValidationError", field });
      expect(await snapshot()).toEqual(before);
    }
  });

  it("accept a Danish CVR and a Finnish Y-tunnus", async () => {
    for (const [country, organizationNumber] of [["DK", "10150817"], ["FI", NOKIA]] as const) {
      const created = await draft("applicant", { country, organizationNumber, postalCode: country === "FI" ? "00100" : "2200" });
      const { result } = await call("applicant", "submitMerchantAgreement", { agreementId: created.id });
      expect(result, country).toMatchObject({ data: { status: "SUBMITTED", organizationNumber } });
    }
  });

  it("answer ConflictError on submission when the company is already a merchant", async () => {
    const created = await draft("applicant", { organizationNumber: TAKEN_NO });
    const before = await snapshot();
    expect((await call("applicant", "submitMerchantAgreement", { agreementId: created.id })).result).toMatchObject({ __typename: "ConflictError", field: "organizationNumber" });
    expect(await snapshot()).toEqual(before);
  });

  it("cannot be changed once submitted", async () => {
    const submitted = await db().merchantAgreement.findFirstOrThrow({ where: { status: "SUBMITTED", applicant: { nin: gateway.persona("applicant").nin } } });
    const { result } = await call("applicant", "updateMerchantAgreement", { agreementId: globalId(submitted.id), merchantName: "Other" });
    expect(result).toMatchObject({ __typename: "InvalidStateError", code: "INVALID_STATE" });
  });

  it("are the applicant's own: another person gets FORBIDDEN, the same as for an id that does not exist", async () => {
    const created = await draft("applicant");
    const before = await snapshot();
    const foreign = await call("no-admin", "updateMerchantAgreement", { agreementId: created.id, merchantName: "Mine" });
    const ghost = await call("no-admin", "updateMerchantAgreement", { agreementId: globalId("6b1f7c2e-0000-4000-8000-000000000000"), merchantName: "Mine" });
    expect(foreign.errorCode).toBe("FORBIDDEN");
    expect(ghost.errorCode).toBe("FORBIDDEN");
    expect((await call("no-admin", "submitMerchantAgreement", { agreementId: created.id })).errorCode).toBe("FORBIDDEN");
    expect((await call("operator", "createMerchantAgreement", { merchantName: "X", organizationNumber: EQUINOR, country: "NO" })).errorCode).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
  });

  it("are approved by customer service only: the merchant is created with the applicant as its Administrator", async () => {
    const seeded = await db().merchantAgreement.findFirstOrThrow({ where: { status: "SUBMITTED", organizationNumber: "996201481" } });
    const before = await snapshot();
    for (const who of ["applicant", "no-admin"]) expect((await call(who, "approveMerchantAgreement", { agreementId: globalId(seeded.id) })).errorCode, who).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);

    const { result } = await call("operator", "approveMerchantAgreement", { agreementId: globalId(seeded.id) });
    expect(result).toMatchObject({ __typename: "MutationApproveMerchantAgreementSuccess", data: { status: "APPROVED", merchant: { name: "Nordlys Bakeri AS" } } });
    const viewer = await gateway.graphql<{ viewer: { memberships: { role: string; merchant: { name: string } }[] } }>(await token("applicant"), "{ viewer { memberships { role merchant { name } } } }");
    expect(viewer.data!.viewer.memberships).toEqual([{ role: "ADMINISTRATOR", merchant: { name: "Nordlys Bakeri AS" } }]);
    expect(await db().auditEvent.findFirstOrThrow({ where: { action: "merchantAgreement.approve" }, orderBy: { id: "desc" } })).toMatchObject({ actorKind: "OPERATOR", objectType: "Merchant", objectId: uuidOf(result!.data!.merchant!.id) });
    expect((await call("operator", "approveMerchantAgreement", { agreementId: globalId(seeded.id) })).result).toMatchObject({ __typename: "InvalidStateError" });
  });

  it("answer ConflictError on approval when another application for the company was approved first", async () => {
    const second = await draft("applicant");
    expect((await call("applicant", "submitMerchantAgreement", { agreementId: second.id })).result!.__typename).toBe("MutationSubmitMerchantAgreementSuccess");
    const first = await db().merchantAgreement.findFirstOrThrow({ where: { status: "SUBMITTED", organizationNumber: EQUINOR, id: { not: uuidOf(second.id) } } });
    expect((await call("operator", "approveMerchantAgreement", { agreementId: globalId(first.id) })).result!.__typename).toBe("MutationApproveMerchantAgreementSuccess");
    const before = await snapshot();
    expect((await call("operator", "approveMerchantAgreement", { agreementId: second.id })).result).toMatchObject({ __typename: "ConflictError", field: "organizationNumber" });
    expect(await snapshot()).toEqual(before);
  });

  it("approve one of two applications for the same company approved at once, and answer the other ConflictError", async () => {
    for (const organizationNumber of ["2334567-2", "1234567-1", "7654321-1"].map(yTunnus)) {
      const drafts = [await draft("applicant", { country: "FI", organizationNumber, postalCode: "00100" }), await draft("applicant", { country: "FI", organizationNumber, postalCode: "00100" })];
      for (const d of drafts) expect((await call("applicant", "submitMerchantAgreement", { agreementId: d.id })).result!.__typename).toBe("MutationSubmitMerchantAgreementSuccess");
      const outcomes = await Promise.all(drafts.map(async (d) => (await call("operator", "approveMerchantAgreement", { agreementId: d.id })).result?.__typename ?? "an untyped error"));
      expect(outcomes.sort(), organizationNumber).toEqual(["ConflictError", "MutationApproveMerchantAgreementSuccess"]);
    }
  });

  it("take turns with the applicant deleting their data: an approval first makes them the Administrator, whose data then stays", async () => {
    const person = await db().portalUser.create({ data: { name: "Turid Turtaker", country: "NO", email: "turid@example.no" } });
    const agreement = await db().merchantAgreement.create({
      data: { applicantId: person.id, merchantName: "Turtaker AS", organizationNumber: "912345602", country: "NO", postalCode: "9008", contactEmail: "post@turtaker.no", status: "SUBMITTED", submittedAt: new Date() },
    });
    // Holds the approval at its company lock, after it has read the applicant, while the deletion is asked for.
    const holder = new pg.Client({ connectionString: gateway.databaseUrl });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock(hashtextextended('merchant:NO:912345602', 0))");
      const approval = call("operator", "approveMerchantAgreement", { agreementId: globalId(agreement.id) });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const deletion = mutate(gateway, await token("operator"), "anonymizeUser", { userId: encodeGlobalID("PortalUser", person.id) }, "userId");
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.query("SELECT pg_advisory_unlock(hashtextextended('merchant:NO:912345602', 0))");
      expect((await approval).result).toMatchObject({ __typename: "MutationApproveMerchantAgreementSuccess", data: { status: "APPROVED" } });
      expect((await deletion).result).toMatchObject({ __typename: "LastAdministratorError" });
    } finally {
      await holder.end();
    }
    expect(await db().portalUser.findUniqueOrThrow({ where: { id: person.id } })).toMatchObject({ name: "Turid Turtaker", anonymizedAt: null });
    expect(await db().membership.findMany({ where: { userId: person.id }, select: { role: true } })).toEqual([{ role: "ADMINISTRATOR" }]);
  });

  it("lose the applicant's own address when the applicant is anonymised, however it was capitalised", async () => {
    const person = await db().portalUser.create({ data: { name: "Ola Nordmann", country: "NO", email: "ola@nordmann.no" } });
    const agreement = await db().merchantAgreement.create({
      data: { applicantId: person.id, merchantName: "Nordmann AS", organizationNumber: "923609016", country: "NO", contactEmail: "Ola@Nordmann.no", status: "DRAFT" },
    });
    const deletion = await mutate(gateway, await token("operator"), "anonymizeUser", { userId: encodeGlobalID("PortalUser", person.id) }, "userId");
    expect(deletion.result).toMatchObject({ __typename: "MutationAnonymizeUserSuccess" });
    expect(await db().merchantAgreement.findUniqueOrThrow({ where: { id: agreement.id } })).toMatchObject({ contactEmail: null });
  });

  it("are rejected by customer service with a reason the applicant reads", async () => {
    const created = await draft("applicant", { organizationNumber: "10150817", country: "DK", contactEmail: "a@b.dk" });
    await call("applicant", "submitMerchantAgreement", { agreementId: created.id });
    expect((await call("operator", "rejectMerchantAgreement", { agreementId: created.id, reason: "x" })).result).toMatchObject({ __typename: "ValidationError", field: "reason" });
    const { result } = await call("operator", "rejectMerchantAgreement", { agreementId: created.id, reason: "Send us the company's certificate of registration." });
    expect(result).toMatchObject({ data: { status: "REJECTED" } });
    const read = await gateway.graphql<{ node: { rejectionReason: string } }>(await token("applicant"), "query($id: ID!) { node(id: $id) { ... on MerchantAgreement { rejectionReason } } }", { id: created.id });
    expect(read.data!.node.rejectionReason).toBe("Send us the company's certificate of registration.");
  });

  /** deleteMerchantAgreement as `who`: the result's type name (its data is the id) or the error code. */
  const remove = async (who: string, agreementId: string) => {
    const response = await gateway.graphql<{ deleteMerchantAgreement: { __typename: string; data?: string } }>(
      await token(who),
      "mutation($input: DeleteMerchantAgreementInput!) { deleteMerchantAgreement(input: $input) { __typename ... on MutationDeleteMerchantAgreementSuccess { data } } }",
      { input: { agreementId } },
    );
    return response.data?.deleteMerchantAgreement ?? { __typename: String(response.errors?.[0]?.extensions?.code) };
  };

  it("are deleted by the applicant while drafts, never once submitted, and another person gets FORBIDDEN", async () => {
    const created = await draft("applicant");
    const before = await snapshot();
    expect(await remove("no-admin", created.id)).toEqual({ __typename: "FORBIDDEN" });
    const submitted = await db().merchantAgreement.findFirstOrThrow({ where: { status: "SUBMITTED", applicant: { nin: gateway.persona("applicant").nin } } });
    expect(await remove("applicant", globalId(submitted.id))).toEqual({ __typename: "InvalidStateError" });
    expect(await snapshot()).toEqual(before);

    expect(await remove("applicant", created.id)).toEqual({ __typename: "MutationDeleteMerchantAgreementSuccess", data: created.id });
    expect(await db().merchantAgreement.findUnique({ where: { id: uuidOf(created.id) } })).toBeNull();
    expect(await db().auditEvent.count({ where: { objectId: uuidOf(created.id), action: "merchantAgreement.delete" } })).toBe(1);
    expect(await db().outboxEvent.count({ where: { aggregateId: uuidOf(created.id), type: "merchantAgreement.DELETED" } })).toBe(1);
  });

  it("are at most MAX_DRAFT_AGREEMENTS drafts per person: the next is LimitReachedError until one is submitted or deleted", async () => {
    const applicant = await db().portalUser.findFirstOrThrow({ where: { nin: gateway.persona("applicant").nin } });
    const held = await db().merchantAgreement.count({ where: { applicantId: applicant.id, status: "DRAFT" } });
    for (let i = held; i < MAX_DRAFT_AGREEMENTS; i++) await draft("applicant");
    const before = await snapshot();
    const { result } = await call("applicant", "createMerchantAgreement", { merchantName: "Én for mye AS", organizationNumber: EQUINOR, country: "NO" });
    expect(result).toMatchObject({ __typename: "LimitReachedError", limit: MAX_DRAFT_AGREEMENTS });
    expect(await snapshot()).toEqual(before);

    const oldest = await db().merchantAgreement.findFirstOrThrow({ where: { applicantId: applicant.id, status: "DRAFT" }, orderBy: { createdAt: "asc" } });
    expect((await remove("applicant", globalId(oldest.id))).__typename).toBe("MutationDeleteMerchantAgreementSuccess");
    await draft("applicant");
  });
});

describe("updateMerchant", () => {
  const MERCHANT = "addressLine postalCode city website contactEmail";
  const update = async (who: string, changes: Record<string, unknown>) =>
    mutate<Record<string, string | null>>(gateway, await token(who), "updateMerchant", { merchantId: gateway.persona("no-admin").merchantId, ...changes }, MERCHANT);
  const merchantSnapshot = async () => ({ merchants: await db().merchant.findMany({ orderBy: { id: "asc" } }), audit: await db().auditEvent.count() });

  it("changes the company details for an Administrator, and null clears one", async () => {
    const { result } = await update("no-admin", { addressLine: " Strandkaien 3 ", postalCode: "5013", city: "Bergen", website: null, contactEmail: "kontakt@fjordkaffe.no" });
    expect(result).toEqual({
      __typename: "MutationUpdateMerchantSuccess",
      data: { addressLine: "Strandkaien 3", postalCode: "5013", city: "Bergen", website: null, contactEmail: "kontakt@fjordkaffe.no" },
    });
    expect(await db().auditEvent.findFirstOrThrow({ where: { action: "merchant.update" }, orderBy: { id: "desc" } })).toMatchObject({
      data: { fields: ["addressLine", "postalCode", "city", "website", "contactEmail"] },
    });
  });

  it("refuses an http website, a five-digit Norwegian postal code, a bad e-mail and an empty city, and changes nothing", async () => {
    const before = await merchantSnapshot();
    for (const [changes, field] of [
      [{ website: "http://fjordkaffe.no" }, "website"],
      [{ postalCode: "50130" }, "postalCode"],
      [{ contactEmail: "kontakt@" }, "contactEmail"],
      [{ city: "  " }, "city"],
    ] as const) {
      expect((await update("no-admin", changes)).result, field).toMatchObject({ __typename: "ValidationError", field });
    }
    expect(await merchantSnapshot()).toEqual(before);
  });

  it("is FORBIDDEN to managers, assistants, other merchants' Administrators and operators", async () => {
    const before = await merchantSnapshot();
    for (const who of ["no-sum-tm-dev", "no-assistant", "dk-admin", "operator"]) {
      expect((await update(who, { city: "Oslo" })).errorCode, who).toBe("FORBIDDEN");
    }
    expect(await merchantSnapshot()).toEqual(before);
  });
});
