/** Applying to become a merchant: the applicant's draft, its submission, and customer service's decision. */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { InvalidStateError, LimitReachedError, NotFoundError, ValidationError } from "../domain/errors";
import { builder } from "./builder";
import { COMMON_ERRORS } from "./errors";
import { CountryEnum } from "./enums";
import { MerchantAgreement } from "./merchant-agreement";
import * as onboarding from "../services/onboarding";
import { callerFor } from "../services/caller";

/** The applicant's own agreement (src/auth/policies/agreement.ts). An unknown id gets the same FORBIDDEN as someone else's. */
const ownAgreement = (_root: unknown, args: { input: { agreementId: { id: string } } }) => ({ ownAgreement: { agreementId: args.input.agreementId.id } });

const DRAFT = "Saved as typed; checked when the agreement is submitted.";

builder.mutationFields((t) => ({
  createMerchantAgreement: t.fieldWithInput({
    type: MerchantAgreement,
    description: `Start an application to become a merchant: a DRAFT that the applicant and customer service see. At most ${onboarding.MAX_DRAFT_AGREEMENTS} drafts per person at a time (LimitReachedError): submit or delete one first.`,
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
    errors: { types: [ValidationError, InvalidStateError, LimitReachedError] },
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
  deleteMerchantAgreement: t.fieldWithInput({
    type: "ID",
    description: `Delete your DRAFT agreement (one you will not submit; you may hold ${onboarding.MAX_DRAFT_AGREEMENTS} drafts at a time). Answers the deleted agreement's id.`,
    typeOptions: { description: "Your DRAFT agreement to delete." },
    argOptions: { description: "The draft to delete." },
    input: { agreementId: t.input.globalID({ for: MerchantAgreement, required: true, description: "The draft." }) },
    authScopes: ownAgreement,
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: async (_root, { input }, ctx) => encodeGlobalID("MerchantAgreement", await onboarding.deleteMerchantAgreement(ctx.services, callerFor(ctx), input.agreementId.id)),
  }),
  submitMerchantAgreement: t.fieldWithInput({
    type: MerchantAgreement,
    description: "Check the draft and send it to customer service, who approve or reject it.",
    typeOptions: { description: "Your DRAFT agreement to submit." },
    argOptions: { description: "The agreement to submit." },
    input: { agreementId: t.input.globalID({ for: MerchantAgreement, required: true, description: "The agreement." }) },
    authScopes: ownAgreement,
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => onboarding.submitMerchantAgreement(ctx.services, callerFor(ctx), input.agreementId.id),
  }),
  approveMerchantAgreement: t.fieldWithInput({
    type: MerchantAgreement,
    description: "Customer service: create the merchant, with the applicant as its Administrator.",
    typeOptions: { description: "A SUBMITTED agreement to approve." },
    argOptions: { description: "The agreement to approve." },
    input: { agreementId: t.input.globalID({ for: MerchantAgreement, required: true, description: "The agreement." }) },
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
}));
