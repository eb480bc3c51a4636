-- CreateEnum
CREATE TYPE "Country" AS ENUM ('NO', 'DK', 'FI', 'SE');

-- CreateEnum
CREATE TYPE "Currency" AS ENUM ('NOK', 'DKK', 'EUR');

-- CreateEnum
CREATE TYPE "Environment" AS ENUM ('PRODUCTION', 'TEST');

-- CreateEnum
CREATE TYPE "Channel" AS ENUM ('ONLINE', 'IN_PERSON');

-- CreateEnum
CREATE TYPE "SalesUnitStatus" AS ENUM ('PROVISIONING', 'ACTIVE', 'DEACTIVATED');

-- CreateEnum
CREATE TYPE "SettlementFrequency" AS ENUM ('DAILY', 'WEEKLY', 'MONTHLY');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMINISTRATOR', 'SALES_UNIT_MANAGER', 'ASSISTANT');

-- CreateEnum
CREATE TYPE "Permission" AS ENUM ('TRANSACTION_MANAGEMENT', 'DEVELOPER');

-- CreateEnum
CREATE TYPE "PartnerScope" AS ENUM ('SALES_UNITS_READ', 'TRANSACTIONS_READ', 'PAYMENTS_WRITE', 'TRANSACTIONS_MANAGE', 'PERSONAL_DATA_READ');

-- CreateEnum
CREATE TYPE "LoginMethod" AS ENUM ('BANKID_NO', 'BANKID_SE', 'MITID', 'FTN', 'PASSWORD');

-- CreateEnum
CREATE TYPE "AgreementStatus" AS ENUM ('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED');

-- CreateEnum
CREATE TYPE "ProductType" AS ENUM ('ONLINE_PAYMENTS', 'IN_PERSON_PAYMENTS', 'CHECKOUT', 'POS_PARTNER_INTEGRATION', 'PAYMENT_LINKS', 'RECURRING', 'LOGIN');

-- CreateEnum
CREATE TYPE "ProductOrderStatus" AS ENUM ('SUBMITTED', 'IN_PROGRESS', 'COMPLETED', 'REJECTED');

-- CreateEnum
CREATE TYPE "RecurringRequestStatus" AS ENUM ('PENDING', 'APPROVED', 'REJECTED');

-- CreateEnum
CREATE TYPE "ConsentType" AS ENUM ('EMAIL', 'SMS', 'DIGITAL', 'PERSONAL');

-- CreateEnum
CREATE TYPE "TransactionStatus" AS ENUM ('REQUESTED', 'REJECTED', 'RESERVED', 'CANCELLED', 'CAPTURED', 'REFUNDED', 'EXPIRED');

-- CreateEnum
CREATE TYPE "OperationType" AS ENUM ('REQUEST', 'APPROVE', 'DECLINE', 'EXPIRE', 'CAPTURE', 'CANCEL', 'REFUND');

-- CreateEnum
CREATE TYPE "PrincipalKind" AS ENUM ('USER', 'PARTNER', 'API_KEY', 'OPERATOR', 'SYSTEM', 'PLATFORM');

-- CreateEnum
CREATE TYPE "ReportFormat" AS ENUM ('CSV', 'XML', 'XLSX', 'PDF');

-- CreateEnum
CREATE TYPE "SettlementStatus" AS ENUM ('PENDING', 'PAID');

-- CreateTable
CREATE TABLE "Merchant" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "organizationNumber" TEXT NOT NULL,
    "country" "Country" NOT NULL,
    "addressLine" TEXT,
    "postalCode" TEXT,
    "city" TEXT,
    "website" TEXT,
    "contactEmail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Merchant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MerchantAgreement" (
    "id" UUID NOT NULL,
    "applicantId" UUID NOT NULL,
    "merchantName" TEXT NOT NULL,
    "organizationNumber" TEXT NOT NULL,
    "country" "Country" NOT NULL,
    "addressLine" TEXT,
    "postalCode" TEXT,
    "city" TEXT,
    "contactEmail" TEXT,
    "status" "AgreementStatus" NOT NULL DEFAULT 'DRAFT',
    "submittedAt" TIMESTAMP(3),
    "decidedAt" TIMESTAMP(3),
    "decidedBy" TEXT,
    "rejectionReason" TEXT,
    "merchantId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MerchantAgreement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProductOrder" (
    "id" UUID NOT NULL,
    "merchantId" UUID NOT NULL,
    "product" "ProductType" NOT NULL,
    "status" "ProductOrderStatus" NOT NULL DEFAULT 'SUBMITTED',
    "salesUnitName" TEXT,
    "channel" "Channel",
    "partnerId" UUID,
    "salesUnitId" UUID,
    "note" TEXT,
    "expectedBy" DATE NOT NULL,
    "createdById" UUID,
    "decidedAt" TIMESTAMP(3),
    "decidedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProductOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SalesUnit" (
    "id" UUID NOT NULL,
    "merchantId" UUID NOT NULL,
    "msn" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "logoUrl" TEXT,
    "environment" "Environment" NOT NULL,
    "channel" "Channel" NOT NULL,
    "currency" "Currency" NOT NULL,
    "status" "SalesUnitStatus" NOT NULL DEFAULT 'PROVISIONING',
    "settlementAccount" TEXT,
    "settlementFrequency" "SettlementFrequency" NOT NULL DEFAULT 'DAILY',
    "recurring" BOOLEAN NOT NULL DEFAULT false,
    "skipLandingPage" BOOLEAN NOT NULL DEFAULT false,
    "directCapture" BOOLEAN NOT NULL DEFAULT false,
    "paymentLinks" BOOLEAN NOT NULL DEFAULT false,
    "login" BOOLEAN NOT NULL DEFAULT false,
    "lateCapture" BOOLEAN NOT NULL DEFAULT false,
    "partnerId" UUID,
    "activatedAt" TIMESTAMP(3),
    "deactivatedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SalesUnit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKeys" (
    "id" UUID NOT NULL,
    "salesUnitId" UUID NOT NULL,
    "clientId" UUID NOT NULL,
    "clientSecretEncrypted" TEXT NOT NULL,
    "primarySubscriptionKey" TEXT NOT NULL,
    "secondarySubscriptionKey" TEXT NOT NULL,
    "primarySubscriptionKeyEnc" TEXT NOT NULL,
    "secondarySubscriptionKeyEnc" TEXT NOT NULL,
    "rotatedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApiKeys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Partner" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "organizationNumber" TEXT,
    "country" "Country",
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Partner_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PartnerKey" (
    "id" UUID NOT NULL,
    "partnerId" UUID NOT NULL,
    "clientId" UUID NOT NULL,
    "clientSecretHash" TEXT NOT NULL,
    "subscriptionKey" TEXT NOT NULL,
    "scopes" "PartnerScope"[],
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PartnerKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoginConfig" (
    "id" UUID NOT NULL,
    "salesUnitId" UUID NOT NULL,
    "activated" BOOLEAN NOT NULL DEFAULT false,
    "redirectUris" TEXT[],
    "termsUrl" TEXT,
    "privacyUrl" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LoginConfig_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoginConsent" (
    "id" UUID NOT NULL,
    "loginConfigId" UUID NOT NULL,
    "type" "ConsentType" NOT NULL,
    "required" BOOLEAN NOT NULL DEFAULT false,
    "text" TEXT NOT NULL,

    CONSTRAINT "LoginConsent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecurringRequest" (
    "id" UUID NOT NULL,
    "salesUnitId" UUID NOT NULL,
    "monthlyRevenueAmount" INTEGER NOT NULL,
    "description" TEXT NOT NULL,
    "status" "RecurringRequestStatus" NOT NULL DEFAULT 'PENDING',
    "requestedById" UUID,
    "decidedAt" TIMESTAMP(3),
    "decidedBy" TEXT,
    "rejectionReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RecurringRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "QrCode" (
    "id" UUID NOT NULL,
    "salesUnitId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "QrCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PaymentLink" (
    "id" UUID NOT NULL,
    "salesUnitId" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "currency" "Currency" NOT NULL,
    "description" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "singleUse" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PaymentLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PortalUser" (
    "id" UUID NOT NULL,
    "name" TEXT,
    "country" "Country" NOT NULL,
    "nin" TEXT,
    "phoneNumber" TEXT,
    "email" TEXT,
    "anonymizedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PortalUser_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "merchantId" UUID NOT NULL,
    "role" "Role" NOT NULL,
    "permissions" "Permission"[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MembershipSalesUnit" (
    "membershipId" UUID NOT NULL,
    "salesUnitId" UUID NOT NULL,

    CONSTRAINT "MembershipSalesUnit_pkey" PRIMARY KEY ("membershipId","salesUnitId")
);

-- CreateTable
CREATE TABLE "Operator" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Operator_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegisterPerson" (
    "nin" TEXT NOT NULL,
    "country" "Country" NOT NULL,
    "name" TEXT NOT NULL,
    "phoneNumber" TEXT,

    CONSTRAINT "RegisterPerson_pkey" PRIMARY KEY ("nin")
);

-- CreateTable
CREATE TABLE "TestUser" (
    "id" UUID NOT NULL,
    "merchantId" UUID NOT NULL,
    "phoneNumber" TEXT NOT NULL,
    "nin" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TestUser_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Transaction" (
    "id" UUID NOT NULL,
    "merchantId" UUID NOT NULL,
    "salesUnitId" UUID NOT NULL,
    "reference" TEXT NOT NULL,
    "description" TEXT,
    "currency" "Currency" NOT NULL,
    "amount" INTEGER NOT NULL,
    "authorizedAmount" INTEGER NOT NULL DEFAULT 0,
    "capturedAmount" INTEGER NOT NULL DEFAULT 0,
    "refundedAmount" INTEGER NOT NULL DEFAULT 0,
    "cancelledAmount" INTEGER NOT NULL DEFAULT 0,
    "status" "TransactionStatus" NOT NULL DEFAULT 'REQUESTED',
    "paymentLinkId" UUID,
    "payerName" TEXT,
    "payerPhone" TEXT,
    "payerEmail" TEXT,
    "message" TEXT,
    "shippingName" TEXT,
    "shippingAddress" TEXT,
    "shippingMethod" TEXT,
    "expiresAt" TIMESTAMP(3),
    "reservedAt" TIMESTAMP(3),
    "firstCapturedAt" TIMESTAMP(3),
    "lastCapturedAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Transaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TransactionOperation" (
    "id" UUID NOT NULL,
    "transactionId" UUID NOT NULL,
    "type" "OperationType" NOT NULL,
    "amount" INTEGER NOT NULL,
    "actorKind" "PrincipalKind" NOT NULL,
    "actorId" TEXT,
    "actorLabel" TEXT,
    "settlementId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TransactionOperation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IdempotencyRecord" (
    "id" UUID NOT NULL,
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "response" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IdempotencyRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Settlement" (
    "id" UUID NOT NULL,
    "salesUnitId" UUID NOT NULL,
    "periodStart" DATE NOT NULL,
    "periodEnd" DATE NOT NULL,
    "payoutDate" DATE NOT NULL,
    "currency" "Currency" NOT NULL,
    "grossAmount" INTEGER NOT NULL,
    "refundedAmount" INTEGER NOT NULL,
    "feeAmount" INTEGER NOT NULL,
    "netAmount" INTEGER NOT NULL,
    "status" "SettlementStatus" NOT NULL DEFAULT 'PENDING',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Settlement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReportSubscription" (
    "id" UUID NOT NULL,
    "merchantId" UUID NOT NULL,
    "salesUnitId" UUID,
    "email" TEXT NOT NULL,
    "frequency" "SettlementFrequency" NOT NULL,
    "format" "ReportFormat" NOT NULL DEFAULT 'PDF',
    "includePersonalData" BOOLEAN NOT NULL DEFAULT false,
    "createdById" UUID,
    "lastSentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReportSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "merchantId" UUID,
    "actorKind" "PrincipalKind" NOT NULL,
    "actorId" TEXT,
    "actorLabel" TEXT,
    "action" TEXT NOT NULL,
    "objectType" TEXT NOT NULL,
    "objectId" TEXT NOT NULL,
    "data" JSONB,
    "requestId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxEvent" (
    "id" BIGSERIAL NOT NULL,
    "type" TEXT NOT NULL,
    "aggregateType" TEXT NOT NULL,
    "aggregateId" UUID NOT NULL,
    "merchantId" UUID,
    "salesUnitId" UUID,
    "payload" JSONB NOT NULL,
    "deliverySeq" BIGINT,
    "publishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutboxEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SigningKey" (
    "kid" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "publicJwk" JSONB NOT NULL,
    "privateJwkEncrypted" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" TIMESTAMP(3),

    CONSTRAINT "SigningKey_pkey" PRIMARY KEY ("kid")
);

-- CreateTable
CREATE TABLE "PlatformEventReceipt" (
    "eventId" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PlatformEventReceipt_pkey" PRIMARY KEY ("eventId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Merchant_country_organizationNumber_key" ON "Merchant"("country", "organizationNumber");

-- CreateIndex
CREATE INDEX "MerchantAgreement_status_createdAt_idx" ON "MerchantAgreement"("status", "createdAt");

-- CreateIndex
CREATE INDEX "MerchantAgreement_applicantId_idx" ON "MerchantAgreement"("applicantId");

-- CreateIndex
CREATE INDEX "ProductOrder_merchantId_createdAt_idx" ON "ProductOrder"("merchantId", "createdAt");

-- CreateIndex
CREATE INDEX "ProductOrder_status_createdAt_idx" ON "ProductOrder"("status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "SalesUnit_msn_key" ON "SalesUnit"("msn");

-- CreateIndex
CREATE INDEX "SalesUnit_merchantId_environment_name_idx" ON "SalesUnit"("merchantId", "environment", "name");

-- CreateIndex
CREATE INDEX "SalesUnit_partnerId_idx" ON "SalesUnit"("partnerId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKeys_salesUnitId_key" ON "ApiKeys"("salesUnitId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKeys_clientId_key" ON "ApiKeys"("clientId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKeys_primarySubscriptionKey_key" ON "ApiKeys"("primarySubscriptionKey");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKeys_secondarySubscriptionKey_key" ON "ApiKeys"("secondarySubscriptionKey");

-- CreateIndex
CREATE UNIQUE INDEX "PartnerKey_clientId_key" ON "PartnerKey"("clientId");

-- CreateIndex
CREATE UNIQUE INDEX "PartnerKey_subscriptionKey_key" ON "PartnerKey"("subscriptionKey");

-- CreateIndex
CREATE INDEX "PartnerKey_partnerId_idx" ON "PartnerKey"("partnerId");

-- CreateIndex
CREATE UNIQUE INDEX "LoginConfig_salesUnitId_key" ON "LoginConfig"("salesUnitId");

-- CreateIndex
CREATE UNIQUE INDEX "LoginConsent_loginConfigId_type_key" ON "LoginConsent"("loginConfigId", "type");

-- CreateIndex
CREATE INDEX "RecurringRequest_salesUnitId_createdAt_idx" ON "RecurringRequest"("salesUnitId", "createdAt");

-- CreateIndex
CREATE INDEX "RecurringRequest_status_idx" ON "RecurringRequest"("status");

-- CreateIndex
CREATE UNIQUE INDEX "QrCode_salesUnitId_name_key" ON "QrCode"("salesUnitId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "PaymentLink_slug_key" ON "PaymentLink"("slug");

-- CreateIndex
CREATE INDEX "PaymentLink_salesUnitId_createdAt_idx" ON "PaymentLink"("salesUnitId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PortalUser_nin_key" ON "PortalUser"("nin");

-- CreateIndex
CREATE UNIQUE INDEX "PortalUser_phoneNumber_key" ON "PortalUser"("phoneNumber");

-- CreateIndex
CREATE UNIQUE INDEX "PortalUser_email_key" ON "PortalUser"("email");

-- CreateIndex
CREATE INDEX "Membership_merchantId_role_idx" ON "Membership"("merchantId", "role");

-- CreateIndex
CREATE UNIQUE INDEX "Membership_userId_merchantId_key" ON "Membership"("userId", "merchantId");

-- CreateIndex
CREATE INDEX "MembershipSalesUnit_salesUnitId_idx" ON "MembershipSalesUnit"("salesUnitId");

-- CreateIndex
CREATE UNIQUE INDEX "Operator_email_key" ON "Operator"("email");

-- CreateIndex
CREATE UNIQUE INDEX "TestUser_phoneNumber_key" ON "TestUser"("phoneNumber");

-- CreateIndex
CREATE INDEX "TestUser_merchantId_idx" ON "TestUser"("merchantId");

-- CreateIndex
CREATE INDEX "Transaction_salesUnitId_createdAt_id_idx" ON "Transaction"("salesUnitId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Transaction_merchantId_createdAt_id_idx" ON "Transaction"("merchantId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Transaction_salesUnitId_status_createdAt_idx" ON "Transaction"("salesUnitId", "status", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Transaction_paymentLinkId_createdAt_idx" ON "Transaction"("paymentLinkId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Transaction_status_expiresAt_idx" ON "Transaction"("status", "expiresAt");

-- CreateIndex
CREATE INDEX "Transaction_reference_idx" ON "Transaction"("reference");

-- CreateIndex
CREATE UNIQUE INDEX "Transaction_salesUnitId_reference_key" ON "Transaction"("salesUnitId", "reference");

-- CreateIndex
CREATE INDEX "TransactionOperation_transactionId_createdAt_idx" ON "TransactionOperation"("transactionId", "createdAt");

-- CreateIndex
CREATE INDEX "TransactionOperation_settlementId_idx" ON "TransactionOperation"("settlementId");

-- CreateIndex
CREATE INDEX "TransactionOperation_type_createdAt_idx" ON "TransactionOperation"("type", "createdAt");

-- CreateIndex
CREATE INDEX "IdempotencyRecord_createdAt_idx" ON "IdempotencyRecord"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "IdempotencyRecord_scope_key_key" ON "IdempotencyRecord"("scope", "key");

-- CreateIndex
CREATE INDEX "Settlement_salesUnitId_periodEnd_idx" ON "Settlement"("salesUnitId", "periodEnd" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "Settlement_salesUnitId_periodStart_periodEnd_key" ON "Settlement"("salesUnitId", "periodStart", "periodEnd");

-- CreateIndex
CREATE INDEX "ReportSubscription_merchantId_idx" ON "ReportSubscription"("merchantId");

-- CreateIndex
CREATE INDEX "AuditEvent_merchantId_createdAt_idx" ON "AuditEvent"("merchantId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "AuditEvent_objectType_objectId_idx" ON "AuditEvent"("objectType", "objectId");

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_createdAt_idx" ON "AuditEvent"("actorId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "AuditEvent_action_createdAt_idx" ON "AuditEvent"("action", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "OutboxEvent_deliverySeq_key" ON "OutboxEvent"("deliverySeq");

-- CreateIndex
CREATE INDEX "OutboxEvent_deliverySeq_idx" ON "OutboxEvent"("deliverySeq");

-- CreateIndex
CREATE INDEX "OutboxEvent_aggregateId_id_idx" ON "OutboxEvent"("aggregateId", "id");

-- AddForeignKey
ALTER TABLE "MerchantAgreement" ADD CONSTRAINT "MerchantAgreement_applicantId_fkey" FOREIGN KEY ("applicantId") REFERENCES "PortalUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MerchantAgreement" ADD CONSTRAINT "MerchantAgreement_merchantId_fkey" FOREIGN KEY ("merchantId") REFERENCES "Merchant"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductOrder" ADD CONSTRAINT "ProductOrder_merchantId_fkey" FOREIGN KEY ("merchantId") REFERENCES "Merchant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductOrder" ADD CONSTRAINT "ProductOrder_partnerId_fkey" FOREIGN KEY ("partnerId") REFERENCES "Partner"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProductOrder" ADD CONSTRAINT "ProductOrder_salesUnitId_fkey" FOREIGN KEY ("salesUnitId") REFERENCES "SalesUnit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SalesUnit" ADD CONSTRAINT "SalesUnit_merchantId_fkey" FOREIGN KEY ("merchantId") REFERENCES "Merchant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SalesUnit" ADD CONSTRAINT "SalesUnit_partnerId_fkey" FOREIGN KEY ("partnerId") REFERENCES "Partner"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKeys" ADD CONSTRAINT "ApiKeys_salesUnitId_fkey" FOREIGN KEY ("salesUnitId") REFERENCES "SalesUnit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PartnerKey" ADD CONSTRAINT "PartnerKey_partnerId_fkey" FOREIGN KEY ("partnerId") REFERENCES "Partner"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LoginConfig" ADD CONSTRAINT "LoginConfig_salesUnitId_fkey" FOREIGN KEY ("salesUnitId") REFERENCES "SalesUnit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LoginConsent" ADD CONSTRAINT "LoginConsent_loginConfigId_fkey" FOREIGN KEY ("loginConfigId") REFERENCES "LoginConfig"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecurringRequest" ADD CONSTRAINT "RecurringRequest_salesUnitId_fkey" FOREIGN KEY ("salesUnitId") REFERENCES "SalesUnit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QrCode" ADD CONSTRAINT "QrCode_salesUnitId_fkey" FOREIGN KEY ("salesUnitId") REFERENCES "SalesUnit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PaymentLink" ADD CONSTRAINT "PaymentLink_salesUnitId_fkey" FOREIGN KEY ("salesUnitId") REFERENCES "SalesUnit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "PortalUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_merchantId_fkey" FOREIGN KEY ("merchantId") REFERENCES "Merchant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MembershipSalesUnit" ADD CONSTRAINT "MembershipSalesUnit_membershipId_fkey" FOREIGN KEY ("membershipId") REFERENCES "Membership"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MembershipSalesUnit" ADD CONSTRAINT "MembershipSalesUnit_salesUnitId_fkey" FOREIGN KEY ("salesUnitId") REFERENCES "SalesUnit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TestUser" ADD CONSTRAINT "TestUser_merchantId_fkey" FOREIGN KEY ("merchantId") REFERENCES "Merchant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Transaction" ADD CONSTRAINT "Transaction_merchantId_fkey" FOREIGN KEY ("merchantId") REFERENCES "Merchant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Transaction" ADD CONSTRAINT "Transaction_salesUnitId_fkey" FOREIGN KEY ("salesUnitId") REFERENCES "SalesUnit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Transaction" ADD CONSTRAINT "Transaction_paymentLinkId_fkey" FOREIGN KEY ("paymentLinkId") REFERENCES "PaymentLink"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TransactionOperation" ADD CONSTRAINT "TransactionOperation_transactionId_fkey" FOREIGN KEY ("transactionId") REFERENCES "Transaction"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TransactionOperation" ADD CONSTRAINT "TransactionOperation_settlementId_fkey" FOREIGN KEY ("settlementId") REFERENCES "Settlement"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Settlement" ADD CONSTRAINT "Settlement_salesUnitId_fkey" FOREIGN KEY ("salesUnitId") REFERENCES "SalesUnit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReportSubscription" ADD CONSTRAINT "ReportSubscription_merchantId_fkey" FOREIGN KEY ("merchantId") REFERENCES "Merchant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
