/**
 * GET /reports/runs/<id>.<csv|xml|xlsx|pdf> (a ReportRun's `downloadUrl`): the run's file, streamed from disk, for the
 * principal who created the run and only while its access still covers what the run covers (the sales units and the
 * personal-data right of a settlement report; for an export, the same access as when it was made). Anything else is
 * 404, like a missing run; a run not READY yet is 409.
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { Services } from "../deps";
import type { Access, Action } from "../auth/permissions";
import { maySearchPayers, viewableTransactions } from "../auth/policies/transaction";
import { isUuid } from "../domain/ids";
import type { ReportRun } from "../generated/prisma/client";
import { REPORT_CONTENT_TYPES } from "../reports/render";
import { reportRunFile, storedCondition } from "../services/report-runs";
import { authenticatedCaller, contentDisposition, notFound } from "./downloads";
import { problem, type RouteHandler } from "./routes";

const FILE = /^([0-9a-f-]{36})\.(csv|xml|xlsx|pdf)$/;

/** JSON with object keys sorted: jsonb keeps its own key order, so a stored condition is compared this way. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** Whether `access` still covers what the run holds. */
export function accessCoversRun(access: Access, run: ReportRun): boolean {
  if (run.kind === "TRANSACTIONS") {
    const stored = storedCondition(run.condition);
    const same = canonical(JSON.parse(JSON.stringify(viewableTransactions(access)))) === canonical(stored.access);
    return same && (!run.includePersonalData || maySearchPayers(access));
  }
  const actions: Action[] = run.includePersonalData ? ["VIEW_TRANSACTIONS", "PERSONAL_DATA_REPORTS"] : ["VIEW_TRANSACTIONS"];
  const merchantId = run.merchantId!;
  if (run.salesUnitIds.length === 0) return actions.every((action) => access.canOnWholeMerchant(action, merchantId));
  return run.salesUnitIds.every((id) => actions.every((action) => access.canOnSalesUnit(action, { id, merchantId })));
}

export function reportRunRoutes(services: Services): Record<string, RouteHandler> {
  return {
    "GET /reports/runs/:file": async (request, _url, params) => {
      const caller = await authenticatedCaller(services, request);
      const match = FILE.exec(params.file ?? "");
      if (!match || !isUuid(match[1]!)) return notFound("report");
      const run = await services.db.reportRun.findUnique({ where: { id: match[1]! } });
      const { principal } = caller;
      if (!run || run.format.toLowerCase() !== match[2] || run.createdByKind !== principal.kind || run.createdById !== principal.id) return notFound("report");
      if (!accessCoversRun(caller.access, run)) return notFound("report");
      if (run.status !== "READY") {
        return problem(409, "NOT_READY", run.status === "FAILED" ? `This report failed: ${run.failureReason ?? "no reason given"}` : "This report is still being made: poll its status.");
      }
      const file = reportRunFile(`${services.config.dataDir}/report-runs`, run);
      const body = Readable.toWeb(createReadStream(file)) as unknown as ReadableStream<Uint8Array>;
      return new Response(body, {
        status: 200,
        headers: {
          "content-type": REPORT_CONTENT_TYPES[run.format],
          "content-disposition": contentDisposition(run.fileName ?? `report.${match[2]}`),
          ...(run.byteSize !== null ? { "content-length": run.byteSize.toString() } : {}),
          "cache-control": "private, no-store",
          "x-content-type-options": "nosniff",
        },
      });
    },
  };
}
