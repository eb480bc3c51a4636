/**
 * Becoming and running a merchant: the merchant agreement (an applicant's DRAFT, submitted, then approved or
 * rejected by customer service), product orders ("Order solution") that customer service fulfils, and the
 * company details an Administrator keeps up to date. Each change runs in one database transaction with its audit
 * row; who may call what is decided before (Pothos scopes).
 */
import type { Channel, Country, MerchantAgreement, ProductOrder, ProductType } from "../generated/prisma/client";
import type { Caller } from "./caller";
import type { Services } from "../deps";
import { dateOfDay, expectedByDate, PRODUCT_ORDER_WORKING_DAYS } from "../domain/calendar";
import { validateCompanyDetails, type CompanyDetails } from "../domain/company";
import { ConflictError, InvalidStateError, LimitReachedError, NotFoundError, ValidationError } from "../domain/errors";
import { isUuid } from "../domain/ids";
import { NAME_LIMITS, validateEmail, validateName, validateOrganizationNumber, validateReason } from "../domain/identifiers";
import { currencyForCountry } from "../domain/money";
import { FULFILMENT, validateProductOrder } from "../domain/product-orders";
import type { MerchantCountry } from "../domain/types";
import type { Tx } from "../db/client";
import { lockRow } from "../db/locks";
import { publicId, recordChange, type ChangeEvent } from "./changes";
import { freeMsn, hasOpenProductOrder, hasPendingRecurringRequest, lockedUnit, newKeyMaterial, salesUnitFacts, switchOnWaitingLogin } from "./sales-units";
import { lockMerchant } from "./merchants";

// ---------------------------------------------------------------------------------------------------------------
// Merchant agreements

/** What a draft holds: whatever the applicant has typed so far, checked only when it is submitted. */
export interface AgreementFields {
  merchantName?: string | null;
  organizationNumber?: string | null;
  country?: Country | null;
  addressLine?: string | null;
  postalCode?: string | null;
  city?: string | null;
  contactEmail?: string | null;
}

/** Drafts are free text, but not unbounded. */
const DRAFT_FIELD_MAX_LENGTH = 200;

function draftText(value: string | null | undefined, field: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  if ([...trimmed].length > DRAFT_FIELD_MAX_LENGTH) {
    throw new ValidationError(`This field can have at most ${DRAFT_FIELD_MAX_LENGTH} characters: shorten it.`, field);
  }
  return trimmed === "" ? null : trimmed;
}

function draftData(fields: AgreementFields) {
  return {
    merchantName: draftText(fields.merchantName, "merchantName") ?? undefined,
    organizationNumber: draftText(fields.organizationNumber, "organizationNumber") ?? undefined,
    country: fields.country ?? undefined,
    addressLine: draftText(fields.addressLine, "addressLine"),
    postalCode: draftText(fields.postalCode, "postalCode"),
    city: draftText(fields.city, "city"),
    contactEmail: draftText(fields.contactEmail, "contactEmail"),
  };
}

/** Drafts one person may hold at a time: enough for a few companies, not a store for anything else. */
export const MAX_DRAFT_AGREEMENTS = 20;

export async function createMerchantAgreement(deps: Services, caller: Caller, fields: AgreementFields & { merchantName: string; organizationNumber: string; country: Country }) {
  const applicantId = callerUserId(caller);
  const data = draftData(fields);
  return deps.db.$transaction(async (tx) => {
    // One new draft per applicant at a time, so the count below holds until commit.
    await lockRow(tx, "PortalUser", applicantId);
    const drafts = await tx.merchantAgreement.count({ where: { applicantId, status: "DRAFT" } });
    if (drafts >= MAX_DRAFT_AGREEMENTS) {
      throw new LimitReachedError(`You have ${drafts} draft agreements: submit or delete one (deleteMerchantAgreement) before starting another.`, MAX_DRAFT_AGREEMENTS);
    }
    const agreement = await tx.merchantAgreement.create({
      data: { ...data, applicantId, merchantName: data.merchantName ?? "", organizationNumber: data.organizationNumber ?? "", country: fields.country },
    });
    await recordChange(tx, caller, {
      merchantId: null,
      action: "merchantAgreement.create",
      objectType: "MerchantAgreement",
      objectId: agreement.id,
      event: { type: "merchantAgreement.CREATED", salesUnitId: null, payload: { status: agreement.status, country: agreement.country } },
    });
    return agreement;
  });
}

async function lockedAgreement(tx: Tx, agreementId: string): Promise<MerchantAgreement> {
  if (!(await lockRow(tx, "MerchantAgreement", agreementId))) throw new NotFoundError("merchant agreement");
  return tx.merchantAgreement.findUniqueOrThrow({ where: { id: agreementId } });
}

function assertDraft(agreement: MerchantAgreement): void {
  if (agreement.status !== "DRAFT") {
    throw new InvalidStateError("This agreement has been submitted and can no longer be changed. Contact customer service if something in it is wrong.");
  }
}

export async function updateMerchantAgreement(deps: Services, caller: Caller, agreementId: string, fields: AgreementFields) {
  const data = draftData(fields);
  return deps.db.$transaction(async (tx) => {
    assertDraft(await lockedAgreement(tx, agreementId));
    const agreement = await tx.merchantAgreement.update({ where: { id: agreementId }, data });
    await recordChange(tx, caller, {
      merchantId: null,
      action: "merchantAgreement.update",
      objectType: "MerchantAgreement",
      objectId: agreementId,
      data: { fields: Object.keys(fields) },
      event: { type: "merchantAgreement.UPDATED", salesUnitId: null, payload: { fields: Object.keys(fields) } },
    });
    return agreement;
  });
}

/** The applicant drops a DRAFT they will not submit. Submitted agreements stay: customer service decides them. */
export async function deleteMerchantAgreement(deps: Services, caller: Caller, agreementId: string): Promise<string> {
  return deps.db.$transaction(async (tx) => {
    const agreement = await lockedAgreement(tx, agreementId);
    if (agreement.status !== "DRAFT") {
      throw new InvalidStateError("Only a draft can be deleted: this agreement has been submitted. Contact customer service to withdraw it.");
    }
    await tx.merchantAgreement.delete({ where: { id: agreement.id } });
    await recordChange(tx, caller, {
      merchantId: null,
      action: "merchantAgreement.delete",
      objectType: "MerchantAgreement",
      objectId: agreement.id,
      data: { country: agreement.country },
      event: { type: "merchantAgreement.DELETED", salesUnitId: null, payload: { status: agreement.status, country: agreement.country } },
    });
    return agreement.id;
  });
}

/** The rules a submitted agreement must meet: a Nordic merchant market, a valid organisation number, a contact. */
function validateAgreement(agreement: MerchantAgreement) {
  if (agreement.country === "SE") {
    throw new ValidationError("Merchant agreements are for companies in Norway, Denmark and Finland: choose NO, DK or FI.", "country");
  }
  if (!agreement.contactEmail) throw new ValidationError("Give an e-mail address where customer service can reach you about the application.", "contactEmail");
  return {
    merchantName: validateName(agreement.merchantName, "merchantName", NAME_LIMITS.merchant.min, NAME_LIMITS.merchant.max),
    organizationNumber: validateOrganizationNumber(agreement.country, agreement.organizationNumber),
    ...validateCompanyDetails(agreement.country, { addressLine: agreement.addressLine, postalCode: agreement.postalCode, city: agreement.city }),
    contactEmail: validateEmail(agreement.contactEmail, "contactEmail"),
  };
}

async function assertNoMerchantWith(tx: Tx, country: Country, organizationNumber: string): Promise<void> {
  if (await tx.merchant.findUnique({ where: { country_organizationNumber: { country, organizationNumber } }, select: { id: true } })) {
    throw new ConflictError("A merchant with this organisation number is already a customer: ask its Administrator to add you as a user.", "organizationNumber");
  }
}

export async function submitMerchantAgreement(deps: Services, caller: Caller, agreementId: string) {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const draft = await lockedAgreement(tx, agreementId);
    assertDraft(draft);
    const valid = validateAgreement(draft);
    await assertNoMerchantWith(tx, draft.country, valid.organizationNumber);
    const agreement = await tx.merchantAgreement.update({ where: { id: agreementId }, data: { ...valid, status: "SUBMITTED", submittedAt: now } });
    await recordChange(tx, caller, {
      merchantId: null,
      action: "merchantAgreement.submit",
      objectType: "MerchantAgreement",
      objectId: agreementId,
      data: { country: agreement.country, organizationNumber: agreement.organizationNumber },
      event: { type: "merchantAgreement.SUBMITTED", salesUnitId: null, payload: { status: agreement.status, country: agreement.country, organizationNumber: agreement.organizationNumber } },
    });
    return agreement;
  });
}

async function lockedSubmittedAgreement(tx: Tx, agreementId: string) {
  const agreement = await lockedAgreement(tx, agreementId);
  if (agreement.status !== "SUBMITTED") {
    throw new InvalidStateError(`Only a submitted agreement can be decided; this one is ${agreement.status}.`);
  }
  return agreement;
}

/** Creates the merchant from the agreement, with the applicant as its Administrator. */
export async function approveMerchantAgreement(deps: Services, caller: Caller, agreementId: string) {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    // The applicant's row first, then the agreement: the order anonymizeUser takes them in (the person, then their
    // agreements), so an approval and the applicant deleting their data take turns instead of deadlocking, and an
    // approval after the deletion sees it.
    const named = isUuid(agreementId) ? await tx.merchantAgreement.findUnique({ where: { id: agreementId }, select: { applicantId: true } }) : null;
    if (named) await lockRow(tx, "PortalUser", named.applicantId);
    const agreement = await lockedSubmittedAgreement(tx, agreementId);
    const applicant = await tx.portalUser.findUniqueOrThrow({ where: { id: agreement.applicantId } });
    if (applicant.anonymizedAt) {
      throw new InvalidStateError("The applicant has deleted their personal data, so nobody can become the Administrator: reject the agreement instead.");
    }
    // Two agreements may name one company: approvals of the same organisation number take turns, so the second
    // sees the first's merchant and answers its ConflictError instead of tripping the unique index.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`merchant:${agreement.country}:${agreement.organizationNumber}`}, 0))`;
    await assertNoMerchantWith(tx, agreement.country, agreement.organizationNumber);
    const merchant = await tx.merchant.create({
      data: {
        name: agreement.merchantName,
        organizationNumber: agreement.organizationNumber,
        country: agreement.country,
        addressLine: agreement.addressLine,
        postalCode: agreement.postalCode,
        city: agreement.city,
        contactEmail: agreement.contactEmail,
      },
    });
    // The applicant asked for this merchant themself: their access counts as accepted from the start.
    await tx.membership.create({ data: { userId: applicant.id, merchantId: merchant.id, role: "ADMINISTRATOR", permissions: [], acceptedAt: now } });
    const approved = await tx.merchantAgreement.update({
      where: { id: agreementId },
      data: { status: "APPROVED", decidedAt: now, decidedBy: caller.principal?.id ?? null, merchantId: merchant.id },
    });
    await recordChange(tx, caller, {
      merchantId: merchant.id,
      action: "merchantAgreement.approve",
      objectType: "Merchant",
      objectId: merchant.id,
      data: { agreementId, merchantName: merchant.name, applicantId: applicant.id },
      event: { type: "merchantAgreement.APPROVED", salesUnitId: null, aggregateId: agreementId, payload: { status: approved.status, merchantName: merchant.name } },
    });
    return approved;
  });
}

export async function rejectMerchantAgreement(deps: Services, caller: Caller, agreementId: string, reason: string) {
  const rejectionReason = validateReason(reason);
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    await lockedSubmittedAgreement(tx, agreementId);
    const agreement = await tx.merchantAgreement.update({
      where: { id: agreementId },
      data: { status: "REJECTED", rejectionReason, decidedAt: now, decidedBy: caller.principal?.id ?? null },
    });
    await recordChange(tx, caller, {
      merchantId: null,
      action: "merchantAgreement.reject",
      objectType: "MerchantAgreement",
      objectId: agreementId,
      data: { reason: rejectionReason },
      event: { type: "merchantAgreement.REJECTED", salesUnitId: null, payload: { status: agreement.status, rejectionReason } },
    });
    return agreement;
  });
}

function callerUserId(caller: Caller): string {
  if (caller.principal?.kind !== "USER") throw new InvalidStateError("Only a person logged in to the portal can apply for a merchant agreement.");
  return caller.principal.id;
}

// ---------------------------------------------------------------------------------------------------------------
// Product orders

export interface OrderProductInput {
  merchantId: string;
  product: ProductType;
  salesUnitName?: string | null;
  salesUnitId?: string | null;
  channel?: Channel | null;
  partnerId?: string | null;
  note?: string | null;
}

export async function orderProduct(deps: Services, caller: Caller, input: OrderProductInput) {
  const fields = validateProductOrder(input);
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const merchant = await lockMerchant(tx, input.merchantId);
    if (fields.salesUnitId) await assertOrderableUnit(tx, merchant.id, fields.salesUnitId, input.product);
    if (fields.partnerId) await existingPartner(tx, fields.partnerId);
    const expectedBy = expectedByDate(now, PRODUCT_ORDER_WORKING_DAYS, merchant.country as MerchantCountry);
    const order = await tx.productOrder.create({
      data: {
        merchantId: merchant.id,
        product: input.product,
        ...fields,
        expectedBy: dateOfDay(expectedBy),
        createdById: caller.principal?.kind === "USER" ? caller.principal.id : null,
      },
    });
    await recordChange(tx, caller, {
      merchantId: merchant.id,
      action: "productOrder.create",
      objectType: "ProductOrder",
      objectId: order.id,
      data: { product: order.product, salesUnitId: order.salesUnitId, salesUnitName: order.salesUnitName, partnerId: order.partnerId },
      event: { type: "productOrder.CREATED", salesUnitId: null, payload: { ...orderFacts(order), expectedBy: order.expectedBy.toISOString().slice(0, 10) } },
    });
    return order;
  });
}

/** An order for an existing sales unit: one of the merchant's active production units that still lacks the product. */
/** What an order's events say. Orders are merchant-wide (the outbox row names no sales unit); the payload names the unit it concerns. */
function orderFacts(order: ProductOrder) {
  return {
    status: order.status,
    product: order.product,
    salesUnitId: order.salesUnitId && publicId("SalesUnit", order.salesUnitId),
    partnerId: order.partnerId && publicId("Partner", order.partnerId),
  };
}

/**
 * The unit is locked until the order is written, as recurring applications lock it: an order and an application
 * for the same thing, or two orders, cannot both pass the checks below at the same time.
 */
async function assertOrderableUnit(tx: Tx, merchantId: string, salesUnitId: string, product: ProductType): Promise<void> {
  const unit = (await lockRow(tx, "SalesUnit", salesUnitId)) ? await tx.salesUnit.findFirst({ where: { id: salesUnitId, merchantId } }) : null;
  if (!unit) throw new ValidationError("Choose one of the merchant's own sales units.", "salesUnitId");
  if (unit.environment !== "PRODUCTION") {
    throw new ValidationError("Products are ordered for production sales units; test sales units get their options when they are created.", "salesUnitId");
  }
  if (unit.status === "DEACTIVATED") throw new ValidationError("This sales unit is deactivated: choose an active one.", "salesUnitId");
  const fulfilment = FULFILMENT[product];
  if (fulfilment.kind === "CAPABILITY" && unit[fulfilment.capability]) {
    throw new InvalidStateError("This sales unit already has the product: nothing to order.");
  }
  if (fulfilment.kind === "PARTNER_LINK" && unit.partnerId) {
    throw new InvalidStateError("This sales unit is already linked to a partner, and a partner cannot be changed through the portal: contact customer service to change partners.");
  }
  if (await hasOpenProductOrder(tx, unit.id, product)) throw new InvalidStateError("This product is already ordered for this sales unit and the order is open: follow it in your orders.");
  if (product === "RECURRING" && (await hasPendingRecurringRequest(tx, unit.id))) {
    throw new InvalidStateError("This sales unit already has a recurring application waiting for customer service: wait for their answer.");
  }
}

async function existingPartner(tx: Tx, partnerId: string) {
  const partner = isUuid(partnerId) ? await tx.partner.findUnique({ where: { id: partnerId } }) : null;
  if (!partner) throw new NotFoundError("partner");
  return partner;
}

async function lockedOpenOrder(tx: Tx, productOrderId: string): Promise<ProductOrder> {
  if (!(await lockRow(tx, "ProductOrder", productOrderId))) throw new NotFoundError("product order");
  const order = await tx.productOrder.findUniqueOrThrow({ where: { id: productOrderId } });
  if (order.status === "COMPLETED" || order.status === "REJECTED") {
    throw new InvalidStateError(`This order is already ${order.status.toLowerCase()}.`);
  }
  return order;
}

export async function startProductOrder(deps: Services, caller: Caller, productOrderId: string) {
  return deps.db.$transaction(async (tx) => {
    const order = await lockedOpenOrder(tx, productOrderId);
    if (order.status !== "SUBMITTED") throw new InvalidStateError("This order is already in progress.");
    const started = await tx.productOrder.update({ where: { id: order.id }, data: { status: "IN_PROGRESS" } });
    await recordChange(tx, caller, {
      merchantId: order.merchantId,
      action: "productOrder.start",
      objectType: "ProductOrder",
      objectId: order.id,
      event: { type: "productOrder.STARTED", salesUnitId: null, payload: orderFacts(started) },
    });
    return started;
  });
}

/**
 * Delivers the product: a new production sales unit (active at once, with its API keys), a partner link, or a
 * capability switched on. The order then points at the sales unit it concerns.
 *
 * An order goes SUBMITTED → IN_PROGRESS (an operator takes it, `startProductOrder`) → COMPLETED, or is REJECTED from
 * either open state; completing skips no step, so the Administrator always sees that someone works on the order.
 */
export async function completeProductOrder(deps: Services, caller: Caller, productOrderId: string) {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const order = await lockedOpenOrder(tx, productOrderId);
    if (order.status !== "IN_PROGRESS") throw new InvalidStateError("This order has not been started: start it (startProductOrder) before completing it.");
    const fulfilment = FULFILMENT[order.product];
    let salesUnitId = order.salesUnitId;
    let previousPartnerId: string | null = null;
    let unitEvents: ChangeEvent[];
    if (salesUnitId) {
      const unit = await lockedUnit(tx, salesUnitId);
      if (unit.status === "DEACTIVATED") throw new InvalidStateError("The sales unit was deactivated after the order: reject the order instead.");
      // Delivered another way since the order (an approved recurring application, another order): nothing to deliver.
      if (fulfilment.kind === "CAPABILITY" && unit[fulfilment.capability]) throw new InvalidStateError("The sales unit has had the product since the order: reject the order instead.");
      if (fulfilment.kind === "PARTNER_LINK" && unit.partnerId) throw new InvalidStateError("The sales unit has been linked to a partner since the order: reject the order instead.");
      previousPartnerId = unit.partnerId;
      const updated = await tx.salesUnit.update({
        where: { id: unit.id },
        data: fulfilment.kind === "CAPABILITY" ? { [fulfilment.capability]: true } : { partnerId: order.partnerId },
      });
      // Redirect URIs prepared before Login was ordered take effect now.
      if (fulfilment.kind === "CAPABILITY" && fulfilment.capability === "login") await switchOnWaitingLogin(tx, caller, updated);
      unitEvents = [
        fulfilment.kind === "CAPABILITY"
          ? { type: "salesUnit.UPDATED", salesUnitId: unit.id, aggregateId: unit.id, payload: { fields: [fulfilment.capability], [fulfilment.capability]: true } }
          : partnerLinked(unit.id, order.partnerId, previousPartnerId),
      ];
    } else {
      const merchant = await tx.merchant.findUniqueOrThrow({ where: { id: order.merchantId } });
      const unit = await tx.salesUnit.create({
        data: {
          merchantId: merchant.id,
          msn: await freeMsn(tx),
          name: order.salesUnitName ?? merchant.name,
          environment: "PRODUCTION",
          channel: order.channel ?? "ONLINE",
          currency: currencyForCountry(merchant.country),
          status: "ACTIVE",
          activatedAt: now,
          partnerId: order.partnerId,
        },
      });
      await tx.apiKeys.create({ data: { salesUnitId: unit.id, ...newKeyMaterial(deps.encryptionKey) } });
      salesUnitId = unit.id;
      unitEvents = [{ type: "salesUnit.CREATED", salesUnitId: unit.id, aggregateId: unit.id, payload: salesUnitFacts(unit) }];
      // A partner's integration on a new unit links the partner as much as one on an existing unit does.
      if (order.partnerId) unitEvents.push(partnerLinked(unit.id, order.partnerId, null));
    }
    const completed = await tx.productOrder.update({
      where: { id: order.id },
      data: { status: "COMPLETED", salesUnitId, decidedAt: now, decidedBy: caller.principal?.id ?? null },
    });
    await recordChange(tx, caller, {
      merchantId: order.merchantId,
      action: "productOrder.complete",
      objectType: "ProductOrder",
      objectId: order.id,
      data: { product: order.product, salesUnitId, createdSalesUnit: order.salesUnitId === null, partnerId: order.partnerId, previousPartnerId },
      event: [{ type: "productOrder.COMPLETED", salesUnitId: null, payload: orderFacts(completed) }, ...unitEvents],
    });
    return completed;
  });
}

function partnerLinked(salesUnitId: string, partnerId: string | null, previousPartnerId: string | null): ChangeEvent {
  return {
    type: "salesUnit.PARTNER_LINKED",
    salesUnitId,
    aggregateId: salesUnitId,
    payload: { partnerId: partnerId && publicId("Partner", partnerId), previousPartnerId: previousPartnerId && publicId("Partner", previousPartnerId) },
  };
}

export async function rejectProductOrder(deps: Services, caller: Caller, productOrderId: string, reason: string) {
  const rejectionReason = validateReason(reason);
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const order = await lockedOpenOrder(tx, productOrderId);
    const rejected = await tx.productOrder.update({
      where: { id: order.id },
      data: { status: "REJECTED", rejectionReason, decidedAt: now, decidedBy: caller.principal?.id ?? null },
    });
    await recordChange(tx, caller, {
      merchantId: order.merchantId,
      action: "productOrder.reject",
      objectType: "ProductOrder",
      objectId: order.id,
      data: { reason: rejectionReason },
      event: { type: "productOrder.REJECTED", salesUnitId: null, payload: { ...orderFacts(rejected), rejectionReason } },
    });
    return rejected;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Company details

export async function updateMerchant(deps: Services, caller: Caller, merchantId: string, changes: CompanyDetails) {
  return deps.db.$transaction(async (tx) => {
    const merchant = await lockMerchant(tx, merchantId);
    const data = validateCompanyDetails(merchant.country, changes);
    const updated = await tx.merchant.update({ where: { id: merchantId }, data });
    // Field names only: the contact e-mail is often a person's own address.
    await recordChange(tx, caller, {
      merchantId,
      action: "merchant.update",
      objectType: "Merchant",
      objectId: merchantId,
      data: { fields: Object.keys(data) },
      event: { type: "merchant.UPDATED", salesUnitId: null, payload: { fields: Object.keys(data) } },
    });
    return updated;
  });
}
