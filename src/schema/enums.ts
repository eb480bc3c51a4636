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
export const TransactionStatusEnum = builder.enumType(TransactionStatus, { name: "TransactionStatus" });
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
