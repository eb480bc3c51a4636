/** Managing a sales unit: name, logo, settlement account, deactivation and test sales units. */
import { InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { builder } from "./builder";
import { SettlementFrequencyEnum } from "./enums";
import { Merchant } from "./merchant";
import { SalesUnit } from "./sales-unit";
import * as salesUnits from "../services/sales-units";
import { callerFor } from "../services/caller";
import { reloadAccess } from "../context";

const onUnit = (action: "EDIT_SALES_UNIT" | "DEVELOPER" | "ADMINISTER_MERCHANT") => (_root: unknown, args: { input: { salesUnitId: { id: string } } }) => ({
  salesUnit: { action, salesUnitId: args.input.salesUnitId.id },
});

builder.mutationFields((t) => ({
  updateSalesUnit: t.fieldWithInput({
    type: SalesUnit,
    description: "Change a production sales unit's name, logo or settlement frequency. Test sales units cannot be changed.",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The production sales unit to change." }),
      name: t.input.string({ description: "1–50 characters; shown to customers in the app." }),
      logoUrl: t.input.string({ description: "An https URL; null removes the logo." }),
      settlementFrequency: t.input.field({ type: SettlementFrequencyEnum, description: "How often to be paid out; unchanged when left out." }),
    },
    authScopes: onUnit("EDIT_SALES_UNIT"),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) =>
      salesUnits.updateSalesUnit(ctx.services, callerFor(ctx), input.salesUnitId.id, { name: input.name, logoUrl: input.logoUrl, settlementFrequency: input.settlementFrequency }),
  }),
  updateSettlementAccount: t.fieldWithInput({
    type: SalesUnit,
    description: "Set the account a production sales unit is paid out to (Administrators).",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The production sales unit to be paid out." }),
      settlementAccount: t.input.string({ required: true, description: "NO: 11-digit account; DK: reg.no + account; FI: IBAN." }),
    },
    authScopes: onUnit("ADMINISTER_MERCHANT"),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => salesUnits.updateSettlementAccount(ctx.services, callerFor(ctx), input.salesUnitId.id, input.settlementAccount),
  }),
  deactivateSalesUnit: t.fieldWithInput({
    type: SalesUnit,
    description: "Deactivate a sales unit (whoever may edit it): it becomes DEACTIVATED and stops taking payments.",
    typeOptions: { description: "Names one sales unit." },
    argOptions: { description: "The sales unit to deactivate." },
    input: { salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The sales unit." }) },
    authScopes: onUnit("EDIT_SALES_UNIT"),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => salesUnits.deactivateSalesUnit(ctx.services, callerFor(ctx), input.salesUnitId.id),
  }),
  createTestSalesUnit: t.fieldWithInput({
    type: SalesUnit,
    description: "Create a test sales unit; it is PROVISIONING for a moment, then ACTIVE. Its options cannot be changed later.",
    input: {
      merchantId: t.input.globalID({ for: Merchant, required: true, description: "The merchant the test sales unit belongs to." }),
      name: t.input.string({ required: true, description: "The test sales unit's name, 1–50 characters." }),
      recurring: t.input.boolean({ defaultValue: false, description: "Enable recurring payments; false when left out." }),
      directCapture: t.input.boolean({ defaultValue: false, description: "Capture payments at once instead of reserving them; false when left out." }),
      skipLandingPage: t.input.boolean({ defaultValue: false, description: "Skip the landing page; false when left out." }),
    },
    authScopes: (_root, { input }) => ({ merchant: { action: "DEVELOPER", merchantId: input.merchantId.id } }),
    errors: { types: [ValidationError, NotFoundError] },
    resolve: async (_root, { input }, ctx) => {
      const unit = await salesUnits.createTestSalesUnit(ctx.services, callerFor(ctx), {
        merchantId: input.merchantId.id,
        name: input.name,
        recurring: input.recurring ?? false,
        directCapture: input.directCapture ?? false,
        skipLandingPage: input.skipLandingPage ?? false,
      });
      // A creator who reaches only some sales units now reaches the new one too: the unit's fields must see it.
      await reloadAccess(ctx);
      return unit;
    },
  }),
}));
