/** Payment links are created, seen and deactivated by whoever may request payments on their sales unit. */
import { unitChildPolicy } from "./sales-unit-child";

export const paymentLinkPolicy = unitChildPolicy("REQUEST_PAYMENT");
