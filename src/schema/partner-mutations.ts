/** Customer service links a partner to a sales unit. */
import { InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { builder } from "./builder";
import { Partner } from "./partner";
import { SalesUnit } from "./sales-unit";
import * as partners from "../services/partners";
import { callerFor } from "../services/caller";

builder.mutationFields((t) => ({
  linkPartner: t.fieldWithInput({
    type: SalesUnit,
    description: "Customer service: set the one integration partner of a sales unit (merchants cannot change it).",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The sales unit to link." }),
      partnerId: t.input.globalID({ for: Partner, description: "The partner to link, replacing any other; null unlinks." }),
    },
    authScopes: { operator: true },
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: (_root, { input }, ctx) => partners.linkPartner(ctx.services, callerFor(ctx), input.salesUnitId.id, input.partnerId?.id ?? null),
  }),
}));
