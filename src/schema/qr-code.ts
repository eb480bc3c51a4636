/** Merchant redirect QR codes: the type and the sales unit's list. */
import { builder } from "./builder";
import { cursorSeen, nodeConnection } from "./connection";
import * as qrCodes from "../services/qr-codes";
import { uuidOrNil } from "../domain/ids";
import { pngSize } from "../domain/qr-image";
import { SalesUnit } from "./sales-unit";
import { qrCodePolicy } from "../auth/policies/qr-code";

export const QrCode = builder.prismaNode("QrCode", {
  id: { field: "id", description: "Global id; pass it to `node(id:)` and to mutations." },
  nullable: true,
  description: "A merchant redirect QR code. Changing its URL keeps the image.",
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), salesUnit: qrCodePolicy.unitWhere(ctx.access) }),
  authScopes: (row) => ({ salesUnit: { action: qrCodePolicy.action, salesUnitId: row.salesUnitId } }),
  fields: (t) => ({
    name: t.exposeString("name", { description: "The code's name in the portal, unique within its sales unit." }),
    url: t.exposeString("url", { description: "The https address customers reach when they scan the code." }),
    svgUrl: t.string({
      description: "Absolute address of the code's SVG image; download it with the same bearer token.",
      resolve: (qr, _args, ctx) => `${ctx.services.config.publicBaseUrl}/qr/${qr.id}.svg`,
    }),
    pngUrl: t.string({
      description: "Absolute address of the code's PNG image; download it with the same bearer token.",
      args: { size: t.arg.int({ required: false, description: "Width in pixels, 100 to 2000; 800 when left out." }) },
      // A size the image route would refuse is refused here, not handed out in an address that answers 400.
      resolve: (qr, args, ctx) => `${ctx.services.config.publicBaseUrl}/qr/${qr.id}.png${args.size == null ? "" : `?size=${pngSize(args.size)}`}`,
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the code was created." }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When the code's name or address last changed." }),
    salesUnit: t.relation("salesUnit", { description: "The sales unit the code belongs to." }),
  }),
});

const QrCodeConnection = nodeConnection(QrCode, "QrCode", "QR codes");

builder.prismaObjectFields(SalesUnit, (t) => ({
  qrCodes: t.relatedConnection("qrCodes", {
    cursor: "id",
    description: "The sales unit's QR codes, newest first. For users who may edit the sales unit (Administrators and Sales Unit Managers).",
    authScopes: (unit) => ({ salesUnit: { action: qrCodePolicy.action, salesUnitId: unit.id, merchantId: unit.merchantId } }),
    query: cursorSeen(
      () => ({ orderBy: [{ createdAt: "desc" as const }, { id: "desc" as const }] }),
      (id, ctx) => ctx.db.qrCode.findFirst({ where: { id: uuidOrNil(id), salesUnit: qrCodePolicy.unitWhere(ctx.access) }, select: { id: true } }),
    ),
    totalCount: true,
  }, QrCodeConnection),
}));

builder.prismaObjectFields(QrCode, (t) => ({
  redirectUrl: t.string({
    description: "What the image encodes: our address that redirects to `url`, so the image survives URL changes.",
    resolve: (qr, _args, ctx) => qrCodes.qrRedirectUrl(ctx.services.config.publicBaseUrl, qr.id),
  }),
}));
