/** `viewer`: who am I, my memberships, and what I may do where. */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "./builder";
import { ActionEnum, PrincipalKindEnum } from "./enums";
import type { Principal } from "../auth/principal";
import type { Grant } from "../auth/permissions";

const Viewer = builder.objectRef<Principal>("Viewer").implement({
  description: "The caller: a portal user, a partner, a merchant API key or an operator.",
  fields: (t) => ({
    kind: t.field({ type: PrincipalKindEnum, resolve: (principal) => principal.kind }),
    label: t.exposeString("label", { description: "A display name: the user's name, the partner's name…" }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", description: "When the current token expires." }),
    user: t.prismaField({
      type: "PortalUser",
      nullable: true,
      resolve: (query, principal, _args, ctx) => (principal.kind === "USER" ? ctx.db.portalUser.findUnique({ ...query, where: { id: principal.id } }) : null),
    }),
    partner: t.prismaField({
      type: "Partner",
      nullable: true,
      resolve: (query, principal, _args, ctx) => (principal.kind === "PARTNER" ? ctx.db.partner.findUnique({ ...query, where: { id: principal.id } }) : null),
    }),
    memberships: t.prismaField({
      type: ["Membership"],
      description: "A portal user's memberships (empty for other principals).",
      resolve: (query, principal, _args, ctx) =>
        principal.kind === "USER" ? ctx.db.membership.findMany({ ...query, where: { userId: principal.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }) : [],
    }),
    access: t.field({
      type: [MerchantAccess],
      description: "What the caller may do, per merchant (a partner or API key: per sales unit).",
      resolve: (_principal, _args, ctx) => ctx.access.grants.filter((grant) => grant.merchantId !== "*"),
    }),
  }),
});

const MerchantAccess = builder.objectRef<Grant>("MerchantAccess").implement({
  fields: (t) => ({
    merchantId: t.id({ resolve: (grant) => encodeGlobalID("Merchant", grant.merchantId) }),
    allSalesUnits: t.boolean({
      description: "True when the access covers every sales unit of the merchant, present and future.",
      resolve: (grant) => grant.salesUnitIds === "ALL",
    }),
    salesUnitIds: t.idList({
      description: "The sales units reached, when not all of them.",
      resolve: (grant) => (grant.salesUnitIds === "ALL" ? [] : [...grant.salesUnitIds].map((id) => encodeGlobalID("SalesUnit", id))),
    }),
    actions: t.field({ type: [ActionEnum], resolve: (grant) => [...grant.actions] }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: Viewer,
    nullable: true,
    description: "The caller, or null when no token was sent.",
    resolve: (_root, _args, ctx) => ctx.principal,
  }),
}));
