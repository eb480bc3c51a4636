/** Ordering products ("Order solution"), and customer service fulfilling or rejecting the orders. */
import { InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { builder } from "./builder";
import { ChannelEnum, ProductTypeEnum } from "./enums";
import { Merchant } from "./merchant";
import { ProductOrder } from "./product-order";
import { Partner } from "./partner";
import { SalesUnit } from "./sales-unit";
import * as onboarding from "../services/onboarding";
import { callerFor } from "../services/caller";

const administers = (_root: unknown, args: { input: { merchantId: { id: string } } }) => ({
  wholeMerchant: { action: "ADMINISTER_MERCHANT" as const, merchantId: args.input.merchantId.id },
});

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

builder.mutationFields((t) => ({
  orderProduct: t.field({
    type: ProductOrder,
    description:
      "Order a product (\"Order solution\"). Customer service fulfils it within 10 working days: see `expectedBy`. One open order per product and sales unit; a POS partner only for a sales unit without one (partners are not changed through the portal); recurring either by order or by application (`requestRecurring`), not both at once.",
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
  startProductOrder: t.fieldWithInput({
    type: ProductOrder,
    description: "Customer service: mark the order as being worked on.",
    typeOptions: { description: "A SUBMITTED order to start." },
    argOptions: { description: "The order to start." },
    input: { productOrderId: t.input.globalID({ for: ProductOrder, required: true, description: "The order." }) },
    authScopes: { operator: true },
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => onboarding.startProductOrder(ctx.services, callerFor(ctx), input.productOrderId.id),
  }),
  completeProductOrder: t.fieldWithInput({
    type: ProductOrder,
    description: "Customer service: deliver the product of an order in progress (a new active production sales unit, a partner link or a capability); a submitted order is started first (`startProductOrder`).",
    typeOptions: { description: "An IN_PROGRESS order to deliver." },
    argOptions: { description: "The order to complete." },
    input: { productOrderId: t.input.globalID({ for: ProductOrder, required: true, description: "The order." }) },
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
}));
