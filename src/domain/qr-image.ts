/** How a QR code's images are drawn: the PNG sizes (checked alike by the image route and by `QrCode.pngUrl(size:)`) and the margin. */
import { ValidationError } from "./errors";

export const PNG_SIZE = { min: 100, max: 2000, default: 800 } as const;

/** The quiet zone the QR standard asks for, in modules, around every image (SVG and PNG). */
export const QR_MARGIN = 4;

export const PNG_SIZE_RULE = `size is the PNG's width in pixels, from ${PNG_SIZE.min} to ${PNG_SIZE.max} (default ${PNG_SIZE.default}).`;

export function isPngSize(size: number): boolean {
  return Number.isInteger(size) && size >= PNG_SIZE.min && size <= PNG_SIZE.max;
}

/** A size given as an argument, or the default; a ValidationError for any other. */
export function pngSize(size: number | null | undefined): number {
  if (size == null) return PNG_SIZE.default;
  if (!isPngSize(size)) throw new ValidationError(PNG_SIZE_RULE, "size");
  return size;
}
