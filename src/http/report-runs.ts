/**
 * GET /reports/runs/<id>.<csv|xml|xlsx|pdf> (a ReportRun's `downloadUrl`): the run's file, streamed from disk, for the
 * principal who created the run and only while its access still covers what the run covers (the sales units and the
 * personal-data right of a settlement report; for an export, the same access as when it was made). Anything else is
 * 404, like a missing run; a run not READY yet is 409.
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { Services } from "../deps";
import { mayReadRun } from "../auth/policies/report-run";
import { isUuid } from "../domain/ids";
import { REPORT_CONTENT_TYPES } from "../reports/render";
import { reportRunFile } from "../services/report-runs";
import { authenticatedCaller, contentDisposition, notFound } from "./downloads";
import { problem, type RouteHandler } from "./routes";

const FILE = /^([0-9a-f-]{36})\.(csv|xml|xlsx|pdf)$/;

export function reportRunRoutes(services: Services): Record<string, RouteHandler> {
  return {
    "GET /reports/runs/:file": async (request, _url, params) => {
      const caller = await authenticatedCaller(services, request);
      const match = FILE.exec(params.file ?? "");
      if (!match || !isUuid(match[1]!)) return notFound("report");
      const run = await services.db.reportRun.findUnique({ where: { id: match[1]! } });
      if (!run || run.format.toLowerCase() !== match[2] || !mayReadRun(caller, run)) return notFound("report");
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
