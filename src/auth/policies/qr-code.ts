/**
 * QR codes are managed, and seen, by whoever may edit their sales unit (Administrators and Sales Unit Managers).
 * Customer service holds no EDIT_SALES_UNIT, so it sees none: neither through `node(id:)`, `SalesUnit.qrCodes` nor
 * the image endpoint.
 */
import { unitChildPolicy } from "./sales-unit-child";

export const qrCodePolicy = unitChildPolicy("EDIT_SALES_UNIT");
