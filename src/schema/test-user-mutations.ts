/** Generating test-environment customers (Developer permission). */
import { builder } from "./builder";
import { Merchant } from "./merchant";
import { TestUser } from "./test-user";
import { LimitReachedError, NotFoundError, ValidationError } from "../domain/errors";
import * as users from "../services/users";
import { callerFor } from "../services/caller";
import { TEST_USER_ACTION } from "../auth/policies/test-user";

builder.mutationFields((t) => ({
  createTestUser: t.fieldWithInput({
    type: TestUser,
    description: `Generate a test-environment customer (phone number and NIN) in the merchant's market; at most ${users.TEST_USER_LIMIT} per merchant.`,
    input: { merchantId: t.input.globalID({ for: Merchant, required: true, description: "The merchant to generate a test customer for." }) },
    authScopes: (_root, { input }) => ({ merchant: { action: TEST_USER_ACTION, merchantId: input.merchantId.id } }),
    errors: { types: [ValidationError, NotFoundError, LimitReachedError] },
    resolve: (_root, { input }, ctx) => users.createTestUser(ctx.services, callerFor(ctx), input.merchantId.id),
  }),
}));
