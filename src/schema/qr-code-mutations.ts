/** Creating, changing and deleting merchant redirect QR codes (Sales Unit Managers and Administrators). */
import { InvalidStateError, NotFoundError, ValidationError } from "../domain/errors";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "./builder";
import { COMMON_ERRORS } from "./errors";
import { SalesUnit } from "./sales-unit";
import { QrCode } from "./qr-code";
import * as qrCodes from "../services/qr-codes";
import { qrCodePolicy } from "../auth/policies/qr-code";
import { callerFor } from "../services/caller";

/** The QR code policy on the code's sales unit; a code that does not exist is refused like another merchant's. */
const onQrCode = (qrCodeId: string) => ({ salesUnitChild: { child: "qrCode" as const, id: qrCodeId } });


builder.mutationFields((t) => ({
  createQrCode: t.fieldWithInput({
    type: QrCode,
    description: "Create a QR code that leads to an https address; download it from `svgUrl` or `pngUrl`.",
    input: {
      salesUnitId: t.input.globalID({ for: SalesUnit, required: true, description: "The sales unit the code belongs to." }),
      name: t.input.string({ required: true, description: "1–128 characters, unique within the sales unit." }),
      url: t.input.string({ required: true, description: "The https address the code leads to." }),
    },
    authScopes: (_root, { input }) => ({ salesUnit: { action: qrCodePolicy.action, salesUnitId: input.salesUnitId.id } }),
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => qrCodes.createQrCode(ctx.services, callerFor(ctx), { salesUnitId: input.salesUnitId.id, name: input.name, url: input.url }),
  }),
  updateQrCode: t.fieldWithInput({
    type: QrCode,
    description: "Rename a QR code or change where it leads. The image stays the same.",
    input: {
      qrCodeId: t.input.globalID({ for: QrCode, required: true, description: "The QR code to change." }),
      name: t.input.string({ description: "1–128 characters, unique within the sales unit." }),
      url: t.input.string({ description: "A new https address; printed codes follow it." }),
    },
    authScopes: (_root, { input }) => onQrCode(input.qrCodeId.id),
    errors: { types: COMMON_ERRORS },
    resolve: (_root, { input }, ctx) => qrCodes.updateQrCode(ctx.services, callerFor(ctx), { qrCodeId: input.qrCodeId.id, name: input.name, url: input.url }),
  }),
  deleteQrCode: t.fieldWithInput({
    type: "ID",
    description: "Delete a QR code; printed copies stop working. Answers the deleted code's id.",
    input: { qrCodeId: t.input.globalID({ for: QrCode, required: true, description: "The QR code to delete." }) },
    authScopes: (_root, { input }) => onQrCode(input.qrCodeId.id),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    resolve: async (_root, { input }, ctx) => encodeGlobalID("QrCode", await qrCodes.deleteQrCode(ctx.services, callerFor(ctx), input.qrCodeId.id)),
  }),
}));
