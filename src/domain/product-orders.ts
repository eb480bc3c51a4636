/**
 * "Order solution": what each product needs from the order form and what completing it does. Online payments,
 * in-person payments and checkout bring a new production sales unit; a POS partner integration links a partner
 * to an existing sales unit or a new in-person one; payment links, Login and recurring switch a capability on
 * for an existing sales unit.
 */
import { ValidationError } from "./errors";
import { NAME_LIMITS, validateName, validateText } from "./identifiers";

export type Product = "ONLINE_PAYMENTS" | "IN_PERSON_PAYMENTS" | "CHECKOUT" | "POS_PARTNER_INTEGRATION" | "PAYMENT_LINKS" | "RECURRING" | "LOGIN";
export type Channel = "ONLINE" | "IN_PERSON";
export type Capability = "paymentLinks" | "login" | "recurring";

export type Fulfilment =
  | { kind: "NEW_SALES_UNIT"; channel: Channel }
  | { kind: "PARTNER_LINK" }
  | { kind: "CAPABILITY"; capability: Capability };

export const FULFILMENT: Record<Product, Fulfilment> = {
  ONLINE_PAYMENTS: { kind: "NEW_SALES_UNIT", channel: "ONLINE" },
  IN_PERSON_PAYMENTS: { kind: "NEW_SALES_UNIT", channel: "IN_PERSON" },
  CHECKOUT: { kind: "NEW_SALES_UNIT", channel: "ONLINE" },
  POS_PARTNER_INTEGRATION: { kind: "PARTNER_LINK" },
  PAYMENT_LINKS: { kind: "CAPABILITY", capability: "paymentLinks" },
  LOGIN: { kind: "CAPABILITY", capability: "login" },
  RECURRING: { kind: "CAPABILITY", capability: "recurring" },
};

export const NOTE_MAX_LENGTH = 500;

export interface ProductOrderRequest {
  product: Product;
  salesUnitName?: string | null;
  salesUnitId?: string | null;
  channel?: Channel | null;
  partnerId?: string | null;
  note?: string | null;
}

/** The order as stored: the fields the product uses, checked; the others are left out. */
export interface ProductOrderFields {
  salesUnitName: string | null;
  salesUnitId: string | null;
  channel: Channel | null;
  partnerId: string | null;
  note: string | null;
}

const LABELS: Record<Product, string> = {
  ONLINE_PAYMENTS: "online payments",
  IN_PERSON_PAYMENTS: "in-person payments",
  CHECKOUT: "checkout",
  POS_PARTNER_INTEGRATION: "a POS partner integration",
  PAYMENT_LINKS: "payment links",
  RECURRING: "recurring payments",
  LOGIN: "Login",
};

export function validateProductOrder(request: ProductOrderRequest): ProductOrderFields {
  const fulfilment = FULFILMENT[request.product];
  const label = LABELS[request.product];
  const note = request.note ? validateText(request.note, "note", 1, NOTE_MAX_LENGTH, "note") : null;
  const unitName = () => validateName(request.salesUnitName ?? "", "salesUnitName", NAME_LIMITS.salesUnit.min, NAME_LIMITS.salesUnit.max);
  switch (fulfilment.kind) {
    case "NEW_SALES_UNIT": {
      if (!request.salesUnitName) throw new ValidationError(`An order for ${label} creates a new sales unit: give its name, as customers will see it.`, "salesUnitName");
      if (request.channel && request.channel !== fulfilment.channel) {
        throw new ValidationError(`An order for ${label} is for the ${fulfilment.channel} channel: leave the channel out or choose ${fulfilment.channel}.`, "channel");
      }
      return { salesUnitName: unitName(), salesUnitId: null, channel: fulfilment.channel, partnerId: request.partnerId ?? null, note };
    }
    case "PARTNER_LINK": {
      if (!request.partnerId) throw new ValidationError("Choose your POS partner for the integration.", "partnerId");
      if (Boolean(request.salesUnitId) === Boolean(request.salesUnitName)) {
        throw new ValidationError("Choose the existing sales unit the partner integrates, or give the name of a new one: one of the two.", "salesUnitId");
      }
      return request.salesUnitId
        ? { salesUnitName: null, salesUnitId: request.salesUnitId, channel: null, partnerId: request.partnerId, note }
        : { salesUnitName: unitName(), salesUnitId: null, channel: request.channel ?? "IN_PERSON", partnerId: request.partnerId, note };
    }
    case "CAPABILITY":
      if (!request.salesUnitId) throw new ValidationError(`An order for ${label} switches it on for an existing sales unit: choose which one.`, "salesUnitId");
      return { salesUnitName: null, salesUnitId: request.salesUnitId, channel: null, partnerId: null, note };
  }
}
