/**
 * GET /reports/runs/<id>.<csv|xml|xlsx|pdf> (a ReportRun's `downloadUrl`): the run's file, streamed from disk, for the
 * principal who created the run and only while its access still covers what the run covers (the sales units and the
 * personal-data right of a settlement report; for an export, the same access as when it was made). Anything else is
 * 404, like a missing run; a run not READY yet is 409; a READY run whose file is no longer there is 410.
 */
import { open, type FileHandle } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import type { Services } from "../deps";
import { mayReadRun } from "../auth/policies/report-run";
import { isUuid } from "../domain/ids";
import { REPORT_CONTENT_TYPES } from "../reports/render";
import { reportRunFile } from "../services/report-runs";
import { authenticatedCaller, notFound, streamedFileResponse } from "./downloads";
import { problem, type RouteHandler } from "./routes";

const FILE = /^([0-9a-f-]{36})\.(csv|xml|xlsx|pdf)$/;

export function reportRunRoutes(services: Services): Record<string, RouteHandler> {
  return {
    "GET /reports/runs/:file": async (request, _url, params, client) => {
      const caller = await authenticatedCaller(services, request);
      const match = FILE.exec(params.file ?? "");
      if (!match || !isUuid(match[1]!)) return notFound("report");
      const run = await services.db.reportRun.findUnique({ where: { id: match[1]! } });
      if (!run || run.format.toLowerCase() !== match[2] || !mayReadRun(caller, run)) return notFound("report");
      if (run.status !== "READY") {
        return problem(409, "NOT_READY", run.status === "FAILED" ? `This report failed: ${run.failureReason ?? "no reason given"}` : "This report is still being made: poll its status.");
      }
      const path = reportRunFile(`${services.config.dataDir}/report-runs`, run);
      // Opened before answering: a run whose file is gone (a data directory not shared between instances, or
      // retention removing it just now) is answered, rather than left without a status line for ever.
      let file: FileHandle;
      try {
        file = await open(path, "r");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        services.logger.warn({ reportRunId: run.id, path }, "A READY report run's file is missing");
        return problem(410, "GONE", "This report's file is no longer kept: make the report again.");
      }
      return streamedFileResponse(
        services,
        request,
        client,
        { contentType: REPORT_CONTENT_TYPES[run.format], fileName: run.fileName ?? `report.${match[2]}`, logContext: { reportRunId: run.id }, byteSize: run.byteSize },
        (out) => pipeline(file.createReadStream(), out),
      );
    },
  };
}
