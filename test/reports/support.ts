/** Reading the reports back in tests. */
import { randomUUID } from "node:crypto";
import { inflateSync } from "node:zlib";
import type { Db } from "../../src/db/client";

/** RFC 4180: quoted fields with doubled quotes, CRLF between records. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  return rows;
}

/** The records after the header row, each as header → field. */
export function parseCsvRecords(text: string): Record<string, string>[] {
  const [header, ...records] = parseCsv(text);
  return records.map((record) => Object.fromEntries(header!.map((name, i) => [name, record[i]!])));
}

/**
 * The text of a PDF written by pdfkit with its built-in fonts: each content stream inflated, the hex strings of each
 * TJ array joined (WinAnsi, read as Latin-1), one line per TJ.
 */
export function pdfText(pdf: Buffer): string {
  const source = pdf.toString("latin1");
  const lines: string[] = [];
  for (const match of source.matchAll(/stream\r?\n([\s\S]*?)endstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(match[1]!, "latin1")).toString("latin1");
    } catch {
      continue;
    }
    for (const tj of content.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      lines.push([...tj[1]!.matchAll(/<([0-9a-f]*)>/g)].map((hex) => Buffer.from(hex[1]!, "hex").toString("latin1")).join(""));
    }
  }
  return lines.join("\n");
}

/**
 * A paid NOK settlement of `captures` captured transactions of the unit (every tenth partly refunded), its totals
 * those of its operations and a fee of 1.49 %. Three operations share each timestamp, so whatever pages through its
 * lines must break ties by id. Answers its id.
 */
export async function insertLargeSettlement(db: Db, unit: { id: string; merchantId: string }, captures: number): Promise<string> {
  const id = randomUUID();
  await db.$transaction([
    db.$executeRaw`INSERT INTO "Settlement" (id, "salesUnitId", "periodStart", "periodEnd", "payoutDate", currency, "grossAmount", "refundedAmount", "feeAmount", "netAmount", status)
      VALUES (${id}::uuid, ${unit.id}::uuid, '2020-01-06', '2020-01-06', '2020-01-08', 'NOK', 0, 0, 0, 0, 'PAID')`,
    db.$executeRaw`INSERT INTO "Transaction" (id, "merchantId", "salesUnitId", reference, currency, amount, "authorizedAmount", "capturedAmount", "refundedAmount", status, "createdAt", "updatedAt")
      SELECT gen_random_uuid(), ${unit.merchantId}::uuid, ${unit.id}::uuid, 'bulk-' || i, 'NOK', 100 + i % 997, 100 + i % 997, 100 + i % 997,
      CASE WHEN i % 10 = 0 THEN 50 ELSE 0 END, 'CAPTURED', timestamp '2020-01-06 08:00' + (i / 3) * interval '1 second', now()
      FROM generate_series(1, ${captures}) i`,
    db.$executeRaw`INSERT INTO "TransactionOperation" (id, "transactionId", type, amount, "actorKind", "settlementId", "createdAt")
      SELECT gen_random_uuid(), t.id, 'CAPTURE'::"OperationType", t.amount, 'SYSTEM'::"PrincipalKind", ${id}::uuid, t."createdAt" FROM "Transaction" t WHERE t."salesUnitId" = ${unit.id}::uuid AND t.reference LIKE 'bulk-%'
      UNION ALL
      SELECT gen_random_uuid(), t.id, 'REFUND'::"OperationType", t."refundedAmount", 'SYSTEM'::"PrincipalKind", ${id}::uuid, t."createdAt" + interval '1 second' FROM "Transaction" t
      WHERE t."salesUnitId" = ${unit.id}::uuid AND t.reference LIKE 'bulk-%' AND t."refundedAmount" > 0`,
    db.$executeRaw`UPDATE "Settlement" s SET "grossAmount" = o.gross, "refundedAmount" = o.refunded, "feeAmount" = o.fee, "netAmount" = o.gross - o.refunded - o.fee
      FROM (SELECT sum(amount) FILTER (WHERE type = 'CAPTURE') AS gross, sum(amount) FILTER (WHERE type = 'REFUND') AS refunded,
      round(sum(amount) FILTER (WHERE type = 'CAPTURE') * 0.0149) AS fee
      FROM "TransactionOperation" WHERE "settlementId" = ${id}::uuid) o
      WHERE s.id = ${id}::uuid`,
  ]);
  return id;
}

/**
 * `db`, calling `hooks.before` ahead of each read of settlement report lines (it may throw, failing the read) and
 * `hooks.after` with the rows each read answered.
 */
export function watchingLineReads(db: Db, hooks: { before?: () => void; after?: (rows: unknown[]) => void }): Db {
  return new Proxy(db, {
    get(target, property) {
      if (property === "$queryRaw") {
        return async (strings: TemplateStringsArray, ...values: unknown[]) => {
          const lines = strings.join("").includes('FROM "TransactionOperation" o JOIN');
          if (lines) hooks.before?.();
          const rows = (await target.$queryRaw(strings, ...values)) as unknown[];
          if (lines) hooks.after?.(rows);
          return rows;
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
