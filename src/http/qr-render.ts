/**
 * QR code PNGs are drawn on a worker thread. Drawing one is CPU work that grows with its area (about 55 ms at the
 * default 800 pixels, 280 ms at 2000 on the machines we measure on), and on the main thread it held every other
 * request, WebSocket frame and health probe for that long: one user asking for large images in a loop, within the
 * per-address request budget, kept an instance busy. On the worker the event loop stays free; images wait their
 * turn there, at most `maxWaiting` of them, and beyond that the route answers 503 with Retry-After.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { QR_MARGIN } from "../domain/qr-image";

/**
 * The worker's program (CommonJS, run from this string, so it needs no TypeScript loader under `npm start`, tests
 * or benchmarks). qrcode floors modules × (width / modules) and floating point can lose a pixel; half a pixel more
 * lands on `size`.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const QRCode = require(workerData.qrcode);
parentPort.on("message", ({ id, text, size }) => {
  QRCode.toBuffer(text, { type: "png", width: size + 0.5, margin: ${QR_MARGIN}, errorCorrectionLevel: "M" }).then(
    (png) => parentPort.postMessage({ id, png }),
    (error) => parentPort.postMessage({ id, error: String(error && error.message || error) }),
  );
});
`;

export class RendererBusyError extends Error {
  constructor() {
    super("Too many QR code images are being drawn right now: try again in a moment.");
  }
}

interface Waiting {
  resolve(png: Buffer): void;
  reject(error: Error): void;
}

export class QrPngRenderer {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private lastId = 0;

  constructor(private readonly maxWaiting = 16) {}

  /** The PNG of `text`, `size` pixels square; RendererBusyError when `maxWaiting` images are waiting already. */
  render(text: string, size: number): Promise<Buffer> {
    if (this.waiting.size >= this.maxWaiting) return Promise.reject(new RendererBusyError());
    const worker = this.worker ?? this.start();
    const id = ++this.lastId;
    return new Promise<Buffer>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, text, size });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
    this.failAll(new Error("The QR code renderer stopped."));
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { qrcode: createRequire(import.meta.url).resolve("qrcode") } });
    // Idle, it keeps no process alive; while images are waiting, their requests do.
    worker.unref();
    worker.on("message", (message: { id: number; png?: Uint8Array; error?: string }) => {
      const waiting = this.waiting.get(message.id);
      if (!waiting) return;
      this.waiting.delete(message.id);
      if (message.png) waiting.resolve(Buffer.from(message.png.buffer, message.png.byteOffset, message.png.byteLength));
      else waiting.reject(new Error(message.error ?? "The QR code could not be drawn."));
    });
    const lost = (error: Error) => {
      if (this.worker !== worker) return;
      // The next image starts a new worker.
      this.worker = null;
      this.failAll(error);
    };
    worker.on("error", lost);
    worker.on("exit", (code) => lost(new Error(`The QR code renderer exited (${code}).`)));
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}
