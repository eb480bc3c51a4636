/**
 * GET /reports/settlements/<settlementId>.<csv|xml|xlsx|pdf>[?includePersonalData=true] (the `reportUrl` of a
 * Settlement). The settlement policy decides: VIEW_TRANSACTIONS on the sales unit reads it; the variant with payer
 * names and messages needs PERSONAL_DATA_REPORTS (403 otherwise) and each such download is audited.
 *
 * The file is written as the client reads it: a page of lines is read, rendered and sent before the next is read, so
 * a settlement of a hundred thousand payments holds one page in memory and never holds the event loop for long.
 */
import type { Services } from "../deps";
import { dayOf } from "../domain/calendar";
import { isUuid } from "../domain/ids";
import type { ReportFormat } from "../generated/prisma/enums";
import { mayReadPersonalData, settlementPolicy } from "../auth/policies/settlement";
import { settlementReportSource } from "../reports/settlement-report";
import { REPORT_CONTENT_TYPES, reportFileName, writeReport } from "../reports/render";
import { recordAudit } from "../services/audit";
import { authenticatedCaller, notFound, streamedFileResponse } from "./downloads";
import { problem, type RouteHandler } from "./routes";

const FILE = /^(.+)\.(csv|xml|xlsx|pdf)$/;

export function settlementReportRoutes(services: Services): Record<string, RouteHandler> {
  return {
    "GET /reports/settlements/:file": async (request, url, params, client) => {
      const caller = await authenticatedCaller(services, request);
      const personal = url.searchParams.get("includePersonalData");
      if (personal !== null && personal !== "true" && personal !== "false") {
        return problem(400, "BAD_REQUEST", "includePersonalData is true or false.");
      }
      const includePersonalData = personal === "true";
      const match = FILE.exec(params.file ?? "");
      if (!match || !isUuid(match[1]!)) return notFound("settlement");
      const format = match[2]!.toUpperCase() as ReportFormat;
      const settlement = await services.db.settlement.findUnique({
        where: { id: match[1]! },
        select: { id: true, salesUnitId: true, periodStart: true, periodEnd: true, salesUnit: { select: { msn: true, merchantId: true, merchant: { select: { name: true } } } } },
      });
      if (!settlement) return notFound("settlement");
      const unit = { id: settlement.salesUnitId, merchantId: settlement.salesUnit.merchantId };
      if (!settlementPolicy.can(caller.access, unit)) return notFound("settlement");
      if (includePersonalData && !mayReadPersonalData(caller.access, unit)) {
        return problem(
          403,
          "FORBIDDEN",
          "Reports with payer names and messages need the Transaction Management permission (Sales Unit Managers) or the Administrator role. Download the report without personal data, or ask an Administrator.",
        );
      }
      const source = await settlementReportSource(services.db, { id: settlement.id }, {
        merchantName: settlement.salesUnit.merchant.name,
        generatedAt: services.clock.now(),
        includePersonalData,
      });
      if (includePersonalData) {
        await recordAudit(services.db, caller, {
          merchantId: unit.merchantId,
          action: "settlementReport.downloadPersonalData",
          objectType: "Settlement",
          objectId: settlement.id,
          data: { format },
        });
      }
      const [start, end] = [dayOf(settlement.periodStart), dayOf(settlement.periodEnd)];
      const period = start === end ? [start] : [start, end];
      return streamedFileResponse(
        services,
        request,
        client,
        {
          contentType: REPORT_CONTENT_TYPES[format],
          fileName: reportFileName(["settlement", settlement.salesUnit.msn, period.join("_")], format, includePersonalData),
          logContext: { settlementId: settlement.id, format },
        },
        (out) => writeReport(source, format, out),
      );
    },
  };
}
