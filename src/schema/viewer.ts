/** `viewer`: who am I, my memberships, and what I may do where. */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "./builder";
import { ActionEnum, PrincipalKindEnum } from "./enums";
import type { Principal } from "../auth/principal";
import type { Grant } from "../auth/permissions";

const Viewer = builder.objectRef<Principal>("Viewer").implement({
  description: "The caller: a portal user, a partner, a merchant API key or an operator.",
  fields: (t) => ({
    kind: t.field({ type: PrincipalKindEnum, description: "What kind of caller this is.", resolve: (principal) => principal.kind }),
    label: t.exposeString("label", { description: "A display name: the user's name, the partner's name…" }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", description: "When the current token expires." }),
    user: t.prismaField({
      type: "PortalUser",
      nullable: true,
      description: "The portal user, when the caller is one; null otherwise.",
      resolve: (query, principal, _args, ctx) => (principal.kind === "USER" ? ctx.db.portalUser.findUnique({ ...query, where: { id: principal.id } }) : null),
    }),
    partner: t.prismaField({
      type: "Partner",
      nullable: true,
      description: "The partner, when the caller is one; null otherwise.",
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
  description: "What the caller may do at one merchant: the actions, on all or some of its sales units.",
  fields: (t) => ({
    merchantId: t.id({ description: "Global id of the merchant.", resolve: (grant) => encodeGlobalID("Merchant", grant.merchantId) }),
    allSalesUnits: t.boolean({
      description: "True when the access covers every sales unit of the merchant, present and future.",
      resolve: (grant) => grant.salesUnitIds === "ALL",
    }),
    salesUnitIds: t.idList({
      description: "The sales units reached, when not all of them.",
      resolve: (grant) => (grant.salesUnitIds === "ALL" ? [] : [...grant.salesUnitIds].map((id) => encodeGlobalID("SalesUnit", id))),
    }),
    actions: t.field({ type: [ActionEnum], description: "The actions the caller may take on the sales units reached.", resolve: (grant) => [...grant.actions] }),
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
