/**
 * Outgoing e-mail. With SMTP_URL, nodemailer sends it; without (development, these machines), nodemailer still
 * composes the MIME message and it is written to `<DATA_DIR>/outbox-mail/` as an .eml file any mail client opens.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import type { Config } from "../config";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  attachments: { filename: string; content: Buffer; contentType: string }[];
}

export interface MailTransport {
  send(message: MailMessage): Promise<void>;
}

/**
 * Whether the mail server refused this message for good: a 5xx reply to its envelope or content (an unknown
 * recipient, a message too large), which nodemailer reports as EENVELOPE or EMESSAGE with the reply code. Sending
 * the same message again would be refused again. The server being away, or refusing the gateway itself (EAUTH), is
 * not this: that passes once it is fixed.
 */
export function isRefusedForGood(error: unknown): boolean {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  return (code === "EENVELOPE" || code === "EMESSAGE") && typeof responseCode === "number" && responseCode >= 500 && responseCode < 600;
}

export function createMailTransport(config: Pick<Config, "smtpUrl" | "mailFrom" | "mailOutboxDir">): MailTransport {
  if (!config.smtpUrl) return fileMailTransport(config.mailOutboxDir, config.mailFrom);
  const smtp = nodemailer.createTransport(config.smtpUrl);
  return {
    send: async (message) => {
      await smtp.sendMail({ from: config.mailFrom, ...message });
    },
  };
}

export function fileMailTransport(directory: string, from: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  return {
    send: async (message) => {
      const info = await composer.sendMail({ from, ...message });
      await mkdir(directory, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${info.messageId.replace(/[^A-Za-z0-9.-]/g, "")}.eml`;
      await writeFile(path.join(directory, name), info.message as Buffer, { mode: 0o600 });
    },
  };
}
