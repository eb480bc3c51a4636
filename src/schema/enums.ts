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

export const CountryEnum = builder.enumType(Country, { name: "Country" });
export const CurrencyEnum = builder.enumType(Currency, { name: "Currency" });
export const EnvironmentEnum = builder.enumType(Environment, { name: "Environment" });
export const ChannelEnum = builder.enumType(Channel, { name: "Channel" });
export const SalesUnitStatusEnum = builder.enumType(SalesUnitStatus, { name: "SalesUnitStatus" });
export const SettlementFrequencyEnum = builder.enumType(SettlementFrequency, { name: "SettlementFrequency" });
export const RoleEnum = builder.enumType(Role, { name: "Role" });
export const PermissionEnum = builder.enumType(Permission, {
  name: "Permission",
  description: "Extra permissions for Sales Unit Managers and Assistants.",
});
export const PartnerScopeEnum = builder.enumType(PartnerScope, { name: "PartnerScope" });
export const AgreementStatusEnum = builder.enumType(AgreementStatus, { name: "AgreementStatus" });
export const ProductTypeEnum = builder.enumType(ProductType, { name: "ProductType" });
export const ProductOrderStatusEnum = builder.enumType(ProductOrderStatus, { name: "ProductOrderStatus" });
export const RecurringRequestStatusEnum = builder.enumType(RecurringRequestStatus, { name: "RecurringRequestStatus" });
export const ConsentTypeEnum = builder.enumType(ConsentType, { name: "ConsentType" });
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
export const OperationTypeEnum = builder.enumType(OperationType, { name: "OperationType" });
export const PrincipalKindEnum = builder.enumType(PrincipalKind, { name: "PrincipalKind" });
export const ReportFormatEnum = builder.enumType(ReportFormat, { name: "ReportFormat" });
export const SettlementStatusEnum = builder.enumType(SettlementStatus, { name: "SettlementStatus" });
export const ActionEnum = builder.enumType("Action", {
  description: "What a principal may do on a merchant or sales unit.",
  values: ACTIONS,
});

export const OrderDirectionEnum = builder.enumType("OrderDirection", {
  description: "Which way a list is sorted.",
  values: {
    ASC: { description: "Smallest, earliest or A first." },
    DESC: { description: "Largest, latest or Z first." },
  } as const,
});
