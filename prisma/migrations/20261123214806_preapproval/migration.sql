-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_PaymentSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "gid" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "group" TEXT NOT NULL,
    "checkoutSessionId" TEXT,
    "amountCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "test" BOOLEAN NOT NULL,
    "kind" TEXT NOT NULL,
    "merchantLocale" TEXT,
    "customerLocale" TEXT,
    "cancelUrl" TEXT,
    "proposedAt" DATETIME NOT NULL,
    "environment" TEXT NOT NULL,
    "customerJson" TEXT,
    "customerEmail" TEXT,
    "state" TEXT NOT NULL,
    "notEligibleReason" TEXT,
    "soisyToken" TEXT,
    "soisyRedirectUrl" TEXT,
    "soisyStatus" TEXT,
    "soisyLoanAmountCents" INTEGER,
    "callbackSecret" TEXT NOT NULL,
    "amountMismatch" BOOLEAN NOT NULL DEFAULT false,
    "pendingExpiresAt" DATETIME,
    "nextActionUrl" TEXT,
    "rejectReasonCode" TEXT,
    "resolvedAt" DATETIME,
    "rejectedAt" DATETIME,
    "lastCheckedAt" DATETIME,
    "flagReason" TEXT,
    "abandonedAt" DATETIME,
    "returnedAt" DATETIME,
    "integrationLevel" TEXT NOT NULL DEFAULT 'redirect',
    "preapprovalInstalments" INTEGER,
    "preapprovalRedirectUrl" TEXT,
    "preapprovalLockedUntil" DATETIME,
    "creationLockedBy" TEXT,
    "creationLockedUntil" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_PaymentSession" ("abandonedAt", "amountCents", "amountMismatch", "callbackSecret", "cancelUrl", "checkoutSessionId", "createdAt", "creationLockedBy", "creationLockedUntil", "currency", "customerEmail", "customerJson", "customerLocale", "environment", "flagReason", "gid", "group", "id", "kind", "lastCheckedAt", "merchantLocale", "nextActionUrl", "notEligibleReason", "pendingExpiresAt", "proposedAt", "rejectReasonCode", "rejectedAt", "resolvedAt", "returnedAt", "shop", "soisyLoanAmountCents", "soisyRedirectUrl", "soisyStatus", "soisyToken", "state", "test", "updatedAt", "version") SELECT "abandonedAt", "amountCents", "amountMismatch", "callbackSecret", "cancelUrl", "checkoutSessionId", "createdAt", "creationLockedBy", "creationLockedUntil", "currency", "customerEmail", "customerJson", "customerLocale", "environment", "flagReason", "gid", "group", "id", "kind", "lastCheckedAt", "merchantLocale", "nextActionUrl", "notEligibleReason", "pendingExpiresAt", "proposedAt", "rejectReasonCode", "rejectedAt", "resolvedAt", "returnedAt", "shop", "soisyLoanAmountCents", "soisyRedirectUrl", "soisyStatus", "soisyToken", "state", "test", "updatedAt", "version" FROM "PaymentSession";
DROP TABLE "PaymentSession";
ALTER TABLE "new_PaymentSession" RENAME TO "PaymentSession";
CREATE UNIQUE INDEX "PaymentSession_gid_key" ON "PaymentSession"("gid");
CREATE UNIQUE INDEX "PaymentSession_soisyToken_key" ON "PaymentSession"("soisyToken");
CREATE INDEX "PaymentSession_shop_state_idx" ON "PaymentSession"("shop", "state");
CREATE INDEX "PaymentSession_shop_createdAt_idx" ON "PaymentSession"("shop", "createdAt");
CREATE INDEX "PaymentSession_group_idx" ON "PaymentSession"("group");
CREATE INDEX "PaymentSession_state_lastCheckedAt_idx" ON "PaymentSession"("state", "lastCheckedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

