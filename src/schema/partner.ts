import { builder } from "./builder";
import { nodeConnection } from "./connection";
import { CountryEnum } from "./enums";
import { likeLiteral, searchTerm, SEARCH_MAX_LENGTH } from "../domain/search";

/** Partners are public directory entries (merchants pick one when ordering a POS integration). */
export const Partner = builder.prismaNode("Partner", {
  id: { field: "id", description: "Global id: pass it to `node(id:)` and to arguments that take this object." },
  nullable: true,
  description: "An integrator (cash register / e-commerce) company acting for merchants through partner keys.",
  authScopes: { authenticated: true },
  fields: (t) => ({
    name: t.exposeString("name", { description: "The partner company's name." }),
    organizationNumber: t.exposeString("organizationNumber", { nullable: true, description: "Its organisation number; null if not registered." }),
    country: t.expose("country", { type: CountryEnum, nullable: true, description: "Its country; null if not registered." }),
  }),
});

const PartnerConnection = nodeConnection(Partner, "Partner", "partners");

builder.queryFields((t) => ({
  partners: t.prismaConnection({
    type: "Partner",
    cursor: "id",
    description: `The partner directory; \`search\` matches the name literally (at most ${SEARCH_MAX_LENGTH} characters).`,
    authScopes: { authenticated: true },
    args: { search: t.arg.string({ required: false, description: "Part of the partner's name, any case; leave out for all partners." }) },
    resolve: (query, _root, args, ctx) => ctx.db.partner.findMany({ ...query, where: partnerSearchWhere(args.search), orderBy: [{ name: "asc" }, { id: "asc" }] }),
    totalCount: (_root, args, ctx) => ctx.db.partner.count({ where: partnerSearchWhere(args.search) }),
  }, PartnerConnection),
}));

/** Partners whose name contains the search term, any case (every partner without one). */
function partnerSearchWhere(text: string | null | undefined) {
  const search = searchTerm(text);
  return search ? { name: { contains: likeLiteral(search), mode: "insensitive" as const } } : {};
}
