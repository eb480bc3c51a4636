/** QR code PNGs drawn on the worker thread: the same image as drawn in place, a bounded queue, and a renderer that recovers. */
import QRCode from "qrcode";
import { afterEach, expect, it } from "vitest";
import { QrPngRenderer, RendererBusyError } from "../../src/http/qr-render";

const TEXT = "https://pay.example.no/r/6b1f7c2e-0000-4000-8000-000000000000";
const renderers: QrPngRenderer[] = [];
const renderer = (maxWaiting?: number) => {
  const made = new QrPngRenderer(maxWaiting);
  renderers.push(made);
  return made;
};
afterEach(async () => {
  for (const made of renderers.splice(0)) await made.close();
});

it("draws the image qrcode draws, at the size asked for", async () => {
  const png = await renderer().render(TEXT, 333);
  const inPlace = await QRCode.toBuffer(TEXT, { type: "png", width: 333.5, margin: 4, errorCorrectionLevel: "M" });
  expect(png.equals(inPlace)).toBe(true);
  expect(png.readUInt32BE(16)).toBe(333);
});

it("refuses an image beyond the ones waiting, and draws the others", async () => {
  const busy = renderer(2);
  const waiting = [busy.render(TEXT, 1500), busy.render(TEXT, 1500)];
  await expect(busy.render(TEXT, 100)).rejects.toBeInstanceOf(RendererBusyError);
  for (const png of await Promise.all(waiting)) expect(png.readUInt32BE(16)).toBe(1500);
  expect((await busy.render(TEXT, 100)).readUInt32BE(16)).toBe(100);
});

it("fails what is waiting when it stops, and starts a new worker for the next image", async () => {
  const made = renderer();
  const waiting = made.render(TEXT, 2000);
  await made.close();
  await expect(waiting).rejects.toThrow("stopped");
  expect((await made.render(TEXT, 120)).readUInt32BE(16)).toBe(120);
});
