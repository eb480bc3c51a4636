/**
 * Merchant redirect QR codes. The image encodes our own `/r/<id>` address, which redirects to the code's
 * current URL, so changing the URL keeps every printed copy working. Each change locks the sales unit (names
 * are unique per unit) and writes its audit row in the same transaction.
 */
import type { Caller } from "./caller";
import type { Services } from "../deps";
import { ConflictError, NotFoundError, ValidationError } from "../domain/errors";
import { NAME_LIMITS, validateName } from "../domain/identifiers";
import { uuidOrNil } from "../domain/ids";
import { assertNotDeactivated } from "../domain/sales-unit";
import { validateHttpsUrl } from "../domain/urls";
import type { Tx } from "../db/client";
import { recordChange } from "./changes";
import { lockedUnit } from "./sales-units";

/** What the image encodes: the public redirect of GET /r/<id>. */
export function qrRedirectUrl(publicBaseUrl: string, qrCodeId: string): string {
  return `${publicBaseUrl}/r/${qrCodeId}`;
}

const validQrName = (name: string) => validateName(name, "name", NAME_LIMITS.qrCode.min, NAME_LIMITS.qrCode.max);

function assertOpen(unit: { status: string }) {
  assertNotDeactivated(unit, "its QR codes cannot be changed");
}

async function assertNameFree(tx: Tx, salesUnitId: string, name: string, exceptId: string | null) {
  const taken = await tx.qrCode.findFirst({ where: { salesUnitId, name, ...(exceptId ? { NOT: { id: exceptId } } : {}) }, select: { id: true } });
  if (taken) throw new ConflictError(`This sales unit already has a QR code named "${name}": choose another name.`, "name");
}

export async function createQrCode(deps: Services, caller: Caller, input: { salesUnitId: string; name: string; url: string }) {
  const name = validQrName(input.name);
  const url = validateHttpsUrl(input.url, "url");
  return deps.db.$transaction(async (tx) => {
    const unit = await lockedUnit(tx, input.salesUnitId);
    assertOpen(unit);
    await assertNameFree(tx, unit.id, name, null);
    const qr = await tx.qrCode.create({ data: { salesUnitId: unit.id, name, url } });
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: "qrCode.create",
      objectType: "QrCode",
      objectId: qr.id,
      data: { salesUnitId: unit.id, name, url },
      event: { type: "qrCode.CREATED", salesUnitId: unit.id, payload: { name, url } },
    });
    return qr;
  });
}

/** Locks the QR code's sales unit, then reads the code: QR changes on one unit happen one at a time. */
async function lockedQrCode(tx: Tx, qrCodeId: string) {
  const owner = await tx.qrCode.findUnique({ where: { id: uuidOrNil(qrCodeId) }, select: { salesUnitId: true } });
  if (!owner) throw new NotFoundError("QR code");
  const unit = await lockedUnit(tx, owner.salesUnitId);
  const qr = await tx.qrCode.findUnique({ where: { id: qrCodeId } });
  if (!qr) throw new NotFoundError("QR code");
  return { unit, qr };
}

export async function updateQrCode(deps: Services, caller: Caller, input: { qrCodeId: string; name?: string | null; url?: string | null }) {
  if (input.name == null && input.url == null) throw new ValidationError("Give a new name, a new URL, or both.", "name");
  const name = input.name == null ? undefined : validQrName(input.name);
  const url = input.url == null ? undefined : validateHttpsUrl(input.url, "url");
  return deps.db.$transaction(async (tx) => {
    const { unit, qr } = await lockedQrCode(tx, input.qrCodeId);
    assertOpen(unit);
    if (name !== undefined) await assertNameFree(tx, unit.id, name, qr.id);
    const updated = await tx.qrCode.update({ where: { id: qr.id }, data: { name, url } });
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: "qrCode.update",
      objectType: "QrCode",
      objectId: qr.id,
      data: { before: { name: qr.name, url: qr.url }, after: { name: updated.name, url: updated.url } },
      event: { type: "qrCode.UPDATED", salesUnitId: unit.id, payload: { name: updated.name, url: updated.url } },
    });
    return updated;
  });
}

/** Deleting stops the redirect: printed copies then lead to a "not found" page. Returns the deleted id. */
export async function deleteQrCode(deps: Services, caller: Caller, qrCodeId: string): Promise<string> {
  return deps.db.$transaction(async (tx) => {
    const { unit, qr } = await lockedQrCode(tx, qrCodeId);
    assertOpen(unit);
    await tx.qrCode.delete({ where: { id: qr.id } });
    await recordChange(tx, caller, {
      merchantId: unit.merchantId,
      action: "qrCode.delete",
      objectType: "QrCode",
      objectId: qr.id,
      data: { salesUnitId: unit.id, name: qr.name, url: qr.url },
      event: { type: "qrCode.DELETED", salesUnitId: unit.id, payload: { name: qr.name } },
    });
    return qr.id;
  });
}
