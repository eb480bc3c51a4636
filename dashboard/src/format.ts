/** Amounts are integers in minor units (øre, cents): shown in major units with the currency. */
export function money(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency}`;
}

/** "12.50" or "12,50" typed by a person → 1250; null when it is not an amount. */
export function parseMajor(text: string): number | null {
  const normalised = text.trim().replace(",", ".");
  if (!/^\d+(\.\d{1,2})?$/.test(normalised)) return null;
  return Math.round(Number(normalised) * 100);
}

export function majorText(minor: number): string {
  return (minor / 100).toFixed(2);
}

export function time(iso: string): string {
  return new Date(iso).toLocaleString("en-GB", { dateStyle: "short", timeStyle: "medium" });
}
