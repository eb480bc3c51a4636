/** Creating, changing and deleting merchant redirect QR codes (Sales Unit Managers and Administrators). */
import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "./builder";
import { COMMON_ERRORS } from "./errors";
import { SalesUnit } from "./sales-unit";
import { QrCode } from "./sales-unit-setup";
import * as qrCodes from "../services/qr-codes";
import { qrCodePolicy } from "../auth/policies/qr-code";
import { callerFor } from "../services/caller";

/** The QR code policy on the code's sales unit; a code that does not exist is refused like another merchant's. */
const onQrCode = (qrCodeId: string) => ({ salesUnitChild: { child: "qrCode" as const, id: qrCodeId } });

builder.prismaObjectFields(QrCode, (t) => ({
  redirectUrl: t.string({
    description: "What the image encodes: our address that redirects to `url`, so the image survives URL changes.",
    resolve: (qr, _args, ctx) => qrCodes.qrRedirectUrl(ctx.services.config.publicBaseUrl, qr.id),
  }),
}));

const CreateQrCodeInput = builder.inputType("CreateQrCodeInput", {
  fields: (t) => ({
    salesUnitId: t.globalID({ for: SalesUnit, required: true }),
    name: t.string({ required: true, description: "1–128 characters, unique within the sales unit." }),
    url: t.string({ required: true, description: "The https address the code leads to." }),
  }),
});

const UpdateQrCodeInput = builder.inputType("UpdateQrCodeInput", {
  fields: (t) => ({
    qrCodeId: t.globalID({ for: QrCode, required: true }),
    name: t.string({ description: "1–128 characters, unique within the sales unit." }),
    url: t.string({ description: "A new https address; printed codes follow it." }),
  }),
});

const DeleteQrCodeInput = builder.inputType("DeleteQrCodeInput", {
  fields: (t) => ({ qrCodeId: t.globalID({ for: QrCode, required: true }) }),
});

builder.mutationFields((t) => ({
  createQrCode: t.field({
    type: QrCode,
    description: "Create a QR code that leads to an https address; download it from `svgUrl` or `pngUrl`.",
    args: { input: t.arg({ type: CreateQrCodeInput, required: true }) },
    authScopes: (_root, { input }) => ({ salesUnit: { action: qrCodePolicy.action, salesUnitId: input.salesUnitId.id } }),
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => qrCodes.createQrCode(ctx.services, callerFor(ctx), { salesUnitId: input.salesUnitId.id, name: input.name, url: input.url }),
  }),
  updateQrCode: t.field({
    type: QrCode,
    description: "Rename a QR code or change where it leads. The image stays the same.",
    args: { input: t.arg({ type: UpdateQrCodeInput, required: true }) },
    authScopes: (_root, { input }) => onQrCode(input.qrCodeId.id),
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => qrCodes.updateQrCode(ctx.services, callerFor(ctx), { qrCodeId: input.qrCodeId.id, name: input.name, url: input.url }),
  }),
  deleteQrCode: t.field({
    type: "ID",
    description: "Delete a QR code; printed copies stop working. Answers the deleted code's id.",
    args: { input: t.arg({ type: DeleteQrCodeInput, required: true }) },
    authScopes: (_root, { input }) => onQrCode(input.qrCodeId.id),
    errors: { types: COMMON_ERRORS },
    resolve: async (_root, { input }, ctx) => encodeGlobalID("QrCode", await qrCodes.deleteQrCode(ctx.services, callerFor(ctx), input.qrCodeId.id)),
  }),
}));
