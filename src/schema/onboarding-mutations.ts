/** Merchant agreements, product orders ("Order solution") and the merchant's company details. */
import { InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { builder } from "./builder";
import { COMMON_ERRORS } from "./errors";
import { ChannelEnum, CountryEnum, ProductTypeEnum } from "./enums";
import { Merchant } from "./merchant";
import { MerchantAgreement } from "./merchant-agreement";
import { ProductOrder } from "./product-order";
import { Partner } from "./partner";
import { SalesUnit } from "./sales-unit";
import * as onboarding from "../services/onboarding";
import { callerFor } from "../services/caller";

/** The applicant's own agreement (src/auth/policies/agreement.ts). An unknown id gets the same FORBIDDEN as someone else's. */
const ownAgreement = (_root: unknown, args: { input: { agreementId: { id: string } } }) => ({ ownAgreement: { agreementId: args.input.agreementId.id } });

const administers = (_root: unknown, args: { input: { merchantId: { id: string } } }) => ({
  wholeMerchant: { action: "ADMINISTER_MERCHANT" as const, merchantId: args.input.merchantId.id },
});

const DRAFT = "Saved as typed; checked when the agreement is submitted.";

const AgreementIdInput = (name: string, description: string) =>
  builder.inputType(name, { description, fields: (t) => ({ agreementId: t.globalID({ for: MerchantAgreement, required: true, description: "The agreement." }) }) });

const OrderProductInput = builder.inputType("OrderProductInput", {
  description:
    "Online payments, in-person payments and checkout need `salesUnitName` (a new sales unit) and may name a `partnerId`; a POS partner integration needs `partnerId` and either `salesUnitId` or `salesUnitName`; payment links, Login and recurring need `salesUnitId`. Fields a product does not use are ignored.",
  fields: (t) => ({
    merchantId: t.globalID({ for: Merchant, required: true, description: "The merchant ordering (you must administer it)." }),
    product: t.field({ type: ProductTypeEnum, required: true, description: "What to order." }),
    salesUnitName: t.string({ description: "The name of the new sales unit, as customers will see it (1–50 characters)." }),
    salesUnitId: t.globalID({ for: SalesUnit, description: "An existing production sales unit the product is for." }),
    channel: t.field({ type: ChannelEnum, description: "Follows from the product; for a POS partner integration's new unit, IN_PERSON unless given." }),
    partnerId: t.globalID({ for: Partner, description: "The integration partner to link to the sales unit, from `partners`." }),
    note: t.string({ description: "Anything customer service should know (up to 500 characters)." }),
  }),
});

const ProductOrderIdInput = (name: string, description: string) =>
  builder.inputType(name, { description, fields: (t) => ({ productOrderId: t.globalID({ for: ProductOrder, required: true, description: "The order." }) }) });

builder.prismaObjectFields(ProductOrder, (t) => ({
  rejectionReason: t.exposeString("rejectionReason", { nullable: true, description: "Why customer service rejected the order." }),
}));

builder.mutationFields((t) => ({
  createMerchantAgreement: t.fieldWithInput({
    type: MerchantAgreement,
    description: "Start an application to become a merchant: a DRAFT only the applicant sees.",
    input: {
      merchantName: t.input.string({ required: true, description: `The company's legal name (1–50 characters). ${DRAFT}` }),
      organizationNumber: t.input.string({ required: true, description: `NO: 9 digits; DK: CVR, 8 digits; FI: Y-tunnus 1234567-8. ${DRAFT}` }),
      country: t.input.field({ type: CountryEnum, required: true, description: "NO, DK or FI." }),
      addressLine: t.input.string({ description: `Street address. ${DRAFT}` }),
      postalCode: t.input.string({ description: `NO and DK: 4 digits; FI: 5 digits. ${DRAFT}` }),
      city: t.input.string({ description: `City. ${DRAFT}` }),
      contactEmail: t.input.string({ description: "Where customer service reaches the applicant; required to submit." }),
    },
    authScopes: { portalUser: true },
    errors: { types: [ValidationError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => onboarding.createMerchantAgreement(ctx.services, callerFor(ctx), input),
  }),
  updateMerchantAgreement: t.fieldWithInput({
    type: MerchantAgreement,
    description: "Change your DRAFT agreement before submitting it.",
    typeOptions: { description: "Changes to a DRAFT agreement: omitted fields stay as they are, null clears an optional one." },
    input: {
      agreementId: t.input.globalID({ for: MerchantAgreement, required: true, description: "The draft to change." }),
      merchantName: t.input.string({ description: `The company's legal name (1–50 characters). ${DRAFT}` }),
      organizationNumber: t.input.string({ description: `NO: 9 digits; DK: CVR, 8 digits; FI: Y-tunnus 1234567-8. ${DRAFT}` }),
      country: t.input.field({ type: CountryEnum, description: "NO, DK or FI." }),
      addressLine: t.input.string({ description: `Street address. ${DRAFT}` }),
      postalCode: t.input.string({ description: `NO and DK: 4 digits; FI: 5 digits. ${DRAFT}` }),
      city: t.input.string({ description: `City. ${DRAFT}` }),
      contactEmail: t.input.string({ description: "Where customer service reaches the applicant; required to submit." }),
    },
    authScopes: ownAgreement,
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input: { agreementId, ...fields } }, ctx) => onboarding.updateMerchantAgreement(ctx.services, callerFor(ctx), agreementId.id, fields),
  }),
  submitMerchantAgreement: t.field({
    type: MerchantAgreement,
    description: "Check the draft and send it to customer service, who approve or reject it.",
    args: { input: t.arg({ type: AgreementIdInput("SubmitMerchantAgreementInput", "Your DRAFT agreement to submit."), required: true, description: "The agreement to submit." }) },
    authScopes: ownAgreement,
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => onboarding.submitMerchantAgreement(ctx.services, callerFor(ctx), input.agreementId.id),
  }),
  approveMerchantAgreement: t.field({
    type: MerchantAgreement,
    description: "Customer service: create the merchant, with the applicant as its Administrator.",
    args: { input: t.arg({ type: AgreementIdInput("ApproveMerchantAgreementInput", "A SUBMITTED agreement to approve."), required: true, description: "The agreement to approve." }) },
    authScopes: { operator: true },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => onboarding.approveMerchantAgreement(ctx.services, callerFor(ctx), input.agreementId.id),
  }),
  rejectMerchantAgreement: t.fieldWithInput({
    type: MerchantAgreement,
    description: "Customer service: turn the application down, telling the applicant why.",
    input: {
      agreementId: t.input.globalID({ for: MerchantAgreement, required: true, description: "The SUBMITTED agreement to reject." }),
      reason: t.input.string({ required: true, description: "Shown to the applicant (3–500 characters): say what to do next." }),
    },
    authScopes: { operator: true },
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => onboarding.rejectMerchantAgreement(ctx.services, callerFor(ctx), input.agreementId.id, input.reason),
  }),
  orderProduct: t.field({
    type: ProductOrder,
    description: "Order a product (\"Order solution\"). Customer service fulfils it within 10 working days: see `expectedBy`.",
    args: { input: t.arg({ type: OrderProductInput, required: true, description: "What to order, for which merchant and sales unit." }) },
    authScopes: administers,
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) =>
      onboarding.orderProduct(ctx.services, callerFor(ctx), {
        merchantId: input.merchantId.id,
        product: input.product,
        salesUnitName: input.salesUnitName,
        salesUnitId: input.salesUnitId?.id,
        channel: input.channel,
        partnerId: input.partnerId?.id,
        note: input.note,
      }),
  }),
  startProductOrder: t.field({
    type: ProductOrder,
    description: "Customer service: mark the order as being worked on.",
    args: { input: t.arg({ type: ProductOrderIdInput("StartProductOrderInput", "A SUBMITTED order to start."), required: true, description: "The order to start." }) },
    authScopes: { operator: true },
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => onboarding.startProductOrder(ctx.services, callerFor(ctx), input.productOrderId.id),
  }),
  completeProductOrder: t.field({
    type: ProductOrder,
    description: "Customer service: deliver the product of an order in progress (a new active production sales unit, a partner link or a capability); a submitted order is started first (`startProductOrder`).",
    args: { input: t.arg({ type: ProductOrderIdInput("CompleteProductOrderInput", "An IN_PROGRESS order to deliver."), required: true, description: "The order to complete." }) },
    authScopes: { operator: true },
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => onboarding.completeProductOrder(ctx.services, callerFor(ctx), input.productOrderId.id),
  }),
  rejectProductOrder: t.fieldWithInput({
    type: ProductOrder,
    description: "Customer service: turn the order down, telling the merchant why.",
    input: {
      productOrderId: t.input.globalID({ for: ProductOrder, required: true, description: "The order to reject." }),
      reason: t.input.string({ required: true, description: "Shown to the merchant (3–500 characters): say what to do next." }),
    },
    authScopes: { operator: true },
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => onboarding.rejectProductOrder(ctx.services, callerFor(ctx), input.productOrderId.id, input.reason),
  }),
  updateMerchant: t.fieldWithInput({
    type: Merchant,
    description: "Change the company's address, website or contact e-mail (Administrators).",
    typeOptions: { description: "Company details: omitted fields stay as they are, null clears one. The legal name and organisation number come from the agreement." },
    input: {
      merchantId: t.input.globalID({ for: Merchant, required: true, description: "The merchant to change (you must administer it)." }),
      addressLine: t.input.string({ description: "Street address." }),
      postalCode: t.input.string({ description: "NO and DK: 4 digits; FI: 5 digits." }),
      city: t.input.string({ description: "City." }),
      website: t.input.string({ description: "An https address." }),
      contactEmail: t.input.string({ description: "Where customer service reaches the merchant." }),
    },
    authScopes: administers,
    errors: { types: [ValidationError, NotFoundError] },
    resolve: (_root, { input: { merchantId, ...changes } }, ctx) => onboarding.updateMerchant(ctx.services, callerFor(ctx), merchantId.id, changes),
  }),
}));
