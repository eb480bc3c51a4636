/**
 * QR code images and the redirect they encode:
 * - GET /qr/<id>.svg and GET /qr/<id>.png?size=100..2000 (default 800), with the bearer token, for whoever may
 *   manage the code's sales unit (the QR code policy, as for reading the QrCode);
 * - GET /r/<id>, public: 302 to the code's current URL. The image encodes this address, not the merchant's URL,
 *   so changing the URL keeps the image.
 */
import QRCode from "qrcode";
import type { Services } from "../deps";
import { isUuid } from "../domain/ids";
import { isPngSize, PNG_SIZE, PNG_SIZE_RULE, QR_MARGIN } from "../domain/qr-image";
import { qrRedirectUrl } from "../services/qr-codes";
import { qrCodePolicy } from "../auth/policies/qr-code";
import { authenticatedCaller, fileResponse, notFound } from "./downloads";
import { type QrPngRenderer, RendererBusyError } from "./qr-render";
import { problem, type RouteHandler } from "./routes";


export function renderQrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: "svg", margin: QR_MARGIN, errorCorrectionLevel: "M" });
}

function parseSize(value: string | null): number | null {
  if (value === null) return PNG_SIZE.default;
  if (!/^\d{1,5}$/.test(value)) return null;
  const size = Number(value);
  return isPngSize(size) ? size : null;
}

const FILE = /^(.+)\.(svg|png)$/;

/** `png` draws the PNG images off the event loop (src/http/qr-render.ts). */
export function qrCodeRoutes(services: Services, png: QrPngRenderer): Record<string, RouteHandler> {
  const { db, config } = services;
  return {
    "GET /qr/:file": async (request, url, params) => {
      const caller = await authenticatedCaller(services, request);
      const match = FILE.exec(params.file ?? "");
      if (!match || !isUuid(match[1]!)) return notFound("QR code");
      const qr = await db.qrCode.findUnique({ where: { id: match[1]! }, select: { id: true, name: true, salesUnit: { select: { id: true, merchantId: true } } } });
      if (!qr || !qrCodePolicy.can(caller.access, qr.salesUnit)) return notFound("QR code");
      const text = qrRedirectUrl(config.publicBaseUrl, qr.id);
      if (match[2] === "svg") return fileResponse(await renderQrSvg(text), "image/svg+xml; charset=utf-8", `${qr.name}.svg`);
      const size = parseSize(url.searchParams.get("size"));
      if (size === null) {
        return problem(400, "BAD_REQUEST", PNG_SIZE_RULE);
      }
      try {
        return fileResponse(await png.render(text, size), "image/png", `${qr.name}.png`);
      } catch (error) {
        if (!(error instanceof RendererBusyError)) throw error;
        return problem(503, "BUSY", error.message, { "retry-after": "1" });
      }
    },
    "GET /r/:id": async (_request, _url, params) => {
      const id = params.id ?? "";
      const qr = isUuid(id) ? await db.qrCode.findUnique({ where: { id }, select: { url: true, salesUnit: { select: { status: true } } } }) : null;
      // Not cacheable, any of it: the merchant may point the code somewhere else at any time.
      if (!qr) return problem(404, "NOT_FOUND", "This QR code is no longer in use.", { "cache-control": "no-store" });
      // A closed sales unit's printed codes lead nowhere: the merchant may no longer own what they pointed to.
      if (qr.salesUnit.status === "DEACTIVATED") return problem(410, "GONE", "This QR code is no longer in use.", { "cache-control": "no-store" });
      // Addresses are stored in their standard form; one stored before that is put in it here (a header is ASCII only).
      return new Response(null, { status: 302, headers: { location: new URL(qr.url).href, "cache-control": "no-store" } });
    },
  };
}
