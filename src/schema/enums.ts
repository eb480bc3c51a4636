/** GraphQL enums mirror the Prisma enums of the same name, so values are the portal's own words. */
import {
  AgreementStatus,
  Channel,
  ConsentType,
  Country,
  Currency,
  Environment,
  OperationType,
  PartnerScope,
  Permission,
  PrincipalKind,
  ProductOrderStatus,
  ProductType,
  RecurringRequestStatus,
  ReportFormat,
  Role,
  SalesUnitStatus,
  SettlementFrequency,
  SettlementStatus,
  TransactionStatus,
} from "../generated/prisma/enums";
import { ACTIONS } from "../auth/permissions";
import { builder } from "./builder";

/** A Prisma enum's values with a description each, in the form `builder.enumType` takes. */
function described<E extends Record<string, string>>(values: E, descriptions: { [K in keyof E]: string }) {
  return Object.fromEntries(Object.keys(values).map((key) => [key, { value: values[key], description: descriptions[key] }])) as {
    [K in keyof E]: { value: E[K]; description: string };
  };
}

export const CountryEnum = builder.enumType("Country", {
  description: "A country, by its ISO 3166-1 alpha-2 code.",
  values: described(Country, { NO: "Norway.", DK: "Denmark.", FI: "Finland.", SE: "Sweden." }),
});
export const CurrencyEnum = builder.enumType("Currency", {
  description: "An ISO 4217 currency. Amounts are in its minor units: øre for NOK and DKK, cents for EUR.",
  values: described(Currency, { NOK: "Norwegian krone (minor unit: øre).", DKK: "Danish krone (minor unit: øre).", EUR: "Euro (minor unit: cent)." }),
});
export const EnvironmentEnum = builder.enumType("Environment", {
  description: "Whether a sales unit takes real money or is for testing an integration.",
  values: described(Environment, {
    PRODUCTION: "Real payments from real customers, paid out in settlements.",
    TEST: "For developing and testing an integration with test users and the test app: no real money moves.",
  }),
});
export const ChannelEnum = builder.enumType("Channel", {
  description: "Where a sales unit takes payments.",
  values: described(Channel, { ONLINE: "Online payments: a web shop or app.", IN_PERSON: "In-person payments: at a till or cash register in a physical store." }),
});
export const SalesUnitStatusEnum = builder.enumType("SalesUnitStatus", {
  description: "Where a sales unit is in its life.",
  values: described(SalesUnitStatus, {
    PROVISIONING: "Ordered and being set up by customer service: it does not take payments yet.",
    ACTIVE: "Takes payments.",
    DEACTIVATED: "Closed for good: takes no new payments; its history stays readable.",
  }),
});
export const SettlementFrequencyEnum = builder.enumType("SettlementFrequency", {
  description: "How often a sales unit's sales are paid out to its settlement account.",
  values: described(SettlementFrequency, {
    DAILY: "Every banking day (the standard).",
    WEEKLY: "Once a week, paid out the following Monday.",
    MONTHLY: "Once a month, paid out on the 1st of the following month.",
  }),
});
export const RoleEnum = builder.enumType("Role", {
  description: "A person's role at a merchant: it decides what they may do on the sales units they reach.",
  values: described(Role, {
    ADMINISTRATOR: "Everything, on all the merchant's sales units: users, company details, settlement accounts, sales units, transactions, API settings.",
    SALES_UNIT_MANAGER: "On their sales units: edit the sales unit, view transactions and send payment requests.",
    ASSISTANT: "On their sales units: view the sales unit and its transactions and send payment requests.",
  }),
});
export const PermissionEnum = builder.enumType("Permission", {
  description: "Extra permissions for Sales Unit Managers and Assistants.",
  values: described(Permission, {
    TRANSACTION_MANAGEMENT: "Capture, cancel and refund payments on their sales units (Sales Unit Managers also get reports with personal data).",
    DEVELOPER: "Access and manage API settings: API keys, Login set-up and test users.",
  }),
});
export const PartnerScopeEnum = builder.enumType("PartnerScope", {
  description: "What a partner key's tokens may do on the sales units linked to the partner.",
  values: described(PartnerScope, {
    SALES_UNITS_READ: "Read the sales units.",
    TRANSACTIONS_READ: "Read the sales units and their transactions.",
    PAYMENTS_WRITE: "Read the sales units and send payment requests.",
    TRANSACTIONS_MANAGE: "Read the sales units and their transactions, and capture, cancel and refund payments.",
    PERSONAL_DATA_READ: "See payers' details on transactions and get reports with personal data.",
  }),
});
export const AgreementStatusEnum = builder.enumType("AgreementStatus", {
  description: "Where an application to become a merchant stands.",
  values: described(AgreementStatus, {
    DRAFT: "Being filled in: only the applicant sees it and may change it.",
    SUBMITTED: "Sent to customer service, who approve or reject it; no longer editable.",
    APPROVED: "Accepted: the merchant exists, with the applicant as its Administrator.",
    REJECTED: "Turned down: `rejectionReason` says why.",
  }),
});
export const ProductTypeEnum = builder.enumType("ProductType", {
  description: "A product a merchant can order (\"Order solution\").",
  values: described(ProductType, {
    ONLINE_PAYMENTS: "Online payments: a new online sales unit.",
    IN_PERSON_PAYMENTS: "In-person payments: a new in-person sales unit.",
    CHECKOUT: "Checkout for a web shop: a new online sales unit.",
    POS_PARTNER_INTEGRATION: "Payments through a point-of-sale partner's cash register: links the partner to a new or existing sales unit.",
    PAYMENT_LINKS: "Payment links on an existing sales unit.",
    RECURRING: "Recurring payments (agreements customers approve once) on an existing sales unit.",
    LOGIN: "Login (customers log in on your site with the app) on an existing sales unit.",
  }),
});
export const ProductOrderStatusEnum = builder.enumType("ProductOrderStatus", {
  description: "Where a product order stands.",
  values: described(ProductOrderStatus, {
    SUBMITTED: "Ordered; customer service has not started on it.",
    IN_PROGRESS: "Customer service is setting it up.",
    COMPLETED: "Delivered: the sales unit, partner link or capability is in place.",
    REJECTED: "Turned down: `rejectionReason` says why.",
  }),
});
export const RecurringRequestStatusEnum = builder.enumType("RecurringRequestStatus", {
  description: "Where a request to enable recurring payments on a sales unit stands.",
  values: described(RecurringRequestStatus, {
    PENDING: "Waiting for customer service's evaluation.",
    APPROVED: "Recurring payments are enabled on the sales unit.",
    REJECTED: "Turned down: `rejectionReason` says why.",
  }),
});
export const ConsentTypeEnum = builder.enumType("ConsentType", {
  description: "A kind of marketing consent a Login user may be asked for.",
  values: described(ConsentType, {
    EMAIL: "Marketing by e-mail.",
    SMS: "Marketing by text message.",
    DIGITAL: "Marketing in digital channels (apps, web, social media).",
    PERSONAL: "Personalised marketing, based on what the merchant knows about the user.",
  }),
});
export const TransactionStatusEnum = builder.enumType("TransactionStatus", {
  description: "What has happened to a payment, as the portal shows it to the merchant and the app to the customer.",
  values: {
    REQUESTED: { value: TransactionStatus.REQUESTED, description: "The merchant has sent a payment request that the customer has not answered yet." },
    REJECTED: { value: TransactionStatus.REJECTED, description: "The customer refused the request: the amount may have been wrong, or the customer changed their mind." },
    RESERVED: {
      value: TransactionStatus.RESERVED,
      description:
        "The customer pressed Pay: the money is reserved on the customer's account but not yet transferred to the merchant. It stays reserved until the merchant captures or cancels it (usual in online shopping, before the goods are sent).",
    },
    CANCELLED: {
      value: TransactionStatus.CANCELLED,
      description: "The merchant cancelled a reserved payment: the reservation is released, and charging the customer needs a new approval in the app.",
    },
    CAPTURED: { value: TransactionStatus.CAPTURED, description: "The customer's account is debited and the money is paid out to the merchant's settlement account: a sale." },
    REFUNDED: { value: TransactionStatus.REFUNDED, description: "A sale returned to the customer, in full or in part, after the customer's account was debited." },
    EXPIRED: { value: TransactionStatus.EXPIRED, description: "The customer did not answer the request in time (10 minutes), so no money moved." },
  } as const,
});
export const OperationTypeEnum = builder.enumType("OperationType", {
  description: "One step in a payment's history.",
  values: described(OperationType, {
    REQUEST: "The merchant sent the payment request.",
    APPROVE: "The customer approved it: the amount is reserved.",
    DECLINE: "The customer refused it.",
    EXPIRE: "The customer did not answer in time.",
    CAPTURE: "Reserved money was captured (all or part): the customer is charged.",
    CANCEL: "A reservation was cancelled (what was not captured is released).",
    REFUND: "Captured money was returned to the customer (all or part).",
  }),
});
export const PrincipalKindEnum = builder.enumType("PrincipalKind", {
  description: "Who acted.",
  values: described(PrincipalKind, {
    USER: "A person logged in to the portal.",
    PARTNER: "An integration partner, with a partner key.",
    API_KEY: "The merchant's own system, with the sales unit's API keys.",
    OPERATOR: "Customer service.",
    SYSTEM: "The portal itself, e.g. a scheduled job.",
    PLATFORM: "The payment platform, e.g. when the customer answers in the app or a request expires.",
  }),
});
export const ReportFormatEnum = builder.enumType("ReportFormat", {
  description: "A report's file format.",
  values: described(ReportFormat, { CSV: "Comma-separated values.", XML: "XML.", XLSX: "Excel workbook.", PDF: "PDF, for reading and printing." }),
});
export const SettlementStatusEnum = builder.enumType("SettlementStatus", {
  description: "Whether a settlement has been paid out.",
  values: described(SettlementStatus, {
    PENDING: "Not paid out yet: see `payoutDate`.",
    PAID: "Paid out to the settlement account (it may take a banking day or more to arrive).",
  }),
});
const ACTION_DESCRIPTIONS: Record<(typeof ACTIONS)[number], string> = {
  VIEW_SALES_UNIT: "See the sales unit and its settings.",
  VIEW_TRANSACTIONS: "See the sales unit's transactions.",
  VIEW_PAYER_DETAILS: "See who paid: the payer's name, phone number and e-mail on transactions.",
  REQUEST_PAYMENT: "Send payment requests.",
  EDIT_SALES_UNIT: "Change the sales unit: name, logo, settlement account and frequency.",
  ADMINISTER_MERCHANT: "Administer the merchant: its users, company details and product orders (Administrators).",
  MANAGE_TRANSACTIONS: "Capture, cancel and refund payments.",
  DEVELOPER: "Access and manage API settings: API keys, Login set-up and test users.",
  PERSONAL_DATA_REPORTS: "Get reports that include payers' personal data.",
};
export const ActionEnum = builder.enumType("Action", {
  description: "What a principal may do on a merchant or sales unit.",
  values: Object.fromEntries(ACTIONS.map((action) => [action, { description: ACTION_DESCRIPTIONS[action] }])) as {
    [A in (typeof ACTIONS)[number]]: { description: string };
  },
});

export const OrderDirectionEnum = builder.enumType("OrderDirection", {
  description: "Which way a list is sorted.",
  values: {
    ASC: { description: "Smallest, earliest or A first." },
    DESC: { description: "Largest, latest or Z first." },
  } as const,
});
