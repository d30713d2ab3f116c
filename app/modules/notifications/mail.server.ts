// The one way Quire sends email (issue 13, "Notifications through one outbox"): SMTP through
// nodemailer when QUIRE_SMTP_URL is set, otherwise an .eml file per message in <data folder>/outbox/.
// Training reminders (training/reminders.server.ts) and the document-control notices
// (notifications.server.ts) both send through here, one run at a time per data folder (lockOutbox).

import fs from "node:fs";
import path from "node:path";

import type nodemailerModule from "nodemailer";
import type { Transporter } from "nodemailer";

import type { QuireConfig } from "~/config.server";
import { processAlive } from "~/process.server";

export type MailTransport = "smtp" | "outbox";

/** The outbox folder inside the data folder: where mail goes when no SMTP server is configured. */
export const OUTBOX = "outbox";

export interface MailAddress {
  name: string;
  address: string;
}

export interface Mail {
  from: string;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  text: string;
  messageId: string;
  date: Date;
  headers: Record<string, string>;
  /** The outbox file's name without extension (the caller's choice: day, subject, recipient). */
  fileStem: string;
}

export interface Delivery {
  messageId: string;
  /** outbox/<name>.eml, relative to the data folder; null for SMTP. */
  file: string | null;
  /** The addresses the transport accepted (lower case): the people recorded as told. */
  accepted: string[];
}

export interface MailSender {
  readonly transport: MailTransport;
  send(mail: Mail): Promise<Delivery>;
  close(): void;
}

/** SMTP when QUIRE_SMTP_URL is set, otherwise .eml files in <data folder>/outbox/. */
export function mailSenderFor(config: Pick<QuireConfig, "dataDir" | "smtpUrl">): MailSender {
  return config.smtpUrl ? smtpSender(config.smtpUrl) : outboxSender(config.dataDir);
}

/** The domain of the From address, for Message-IDs (RFC 5322 §3.6.4: unique, on the sender's domain). */
export function domainOf(from: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? "quire.invalid";
}

function mailOptions(mail: Mail) {
  return {
    from: mail.from,
    to: mail.to,
    cc: mail.cc,
    subject: mail.subject,
    text: mail.text,
    messageId: mail.messageId,
    date: mail.date,
    headers: mail.headers,
  };
}

/**
 * A transporter made at the first message: nodemailer loads then, not at every server and CLI start
 * (about a tenth of a second here), and a run with nothing to send never loads it.
 */
function lazyTransporter<T extends Transporter>(make: (nodemailer: typeof nodemailerModule) => T): { get: () => Promise<T>; close: () => void } {
  let made: Promise<T> | null = null;
  return {
    get: () => (made ??= import("nodemailer").then((module) => make(module.default))),
    close: () => void made?.then((transporter) => transporter.close()),
  };
}

function smtpSender(url: string): MailSender {
  // One pooled connection for the whole run; a server that does not answer fails the send, not the run.
  const transporter = lazyTransporter((nodemailer) =>
    nodemailer.createTransport({
      url,
      pool: true,
      maxConnections: 1,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    }),
  );
  return {
    transport: "smtp",
    async send(mail) {
      const info = await (await transporter.get()).sendMail(mailOptions(mail));
      return { messageId: info.messageId ?? mail.messageId, file: null, accepted: (info.accepted ?? []).map((a) => String(a).toLowerCase()) };
    },
    close: transporter.close,
  };
}

function outboxSender(dataDir: string): MailSender {
  const transporter = lazyTransporter((nodemailer) => nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" }));
  const folder = path.join(dataDir, OUTBOX);
  return {
    transport: "outbox",
    async send(mail) {
      const info = await (await transporter.get()).sendMail(mailOptions(mail));
      fs.mkdirSync(folder, { recursive: true });
      // Never over an earlier file: a second email on the same subject the same day (a person named
      // since) gets a name of its own, so the outbox keeps every message sent.
      for (let n = 1; ; n++) {
        const name = `${mail.fileStem}${n === 1 ? "" : `-${n}`}.eml`;
        let fd: number;
        try {
          fd = fs.openSync(path.join(folder, name), "wx");
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
          throw error;
        }
        try {
          fs.writeSync(fd, info.message as Buffer);
          // On disk before the notice is recorded as sent.
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        return { messageId: info.messageId, file: `${OUTBOX}/${name}`, accepted: [...mail.to, ...mail.cc].map((a) => a.address.toLowerCase()) };
      }
    },
    close: transporter.close,
  };
}

// ---------------------------------------------------------------------------------------------
// One sending run at a time per data folder

/** The lock file every sending run holds: reminders and document-control notices alike. */
export const OUTBOX_LOCK = "remind.lock";

/**
 * Takes the data folder's send lock (a file holding the pid of the run that sends): two runs (the
 * CLI and the server's daily run) must not both send the same notice in the time between sending
 * and recording. A lock whose process is gone (killed mid-run) is taken over. `busy` makes the
 * error thrown when a live run holds it (its process id; null when two started at the same moment).
 * Returns the release.
 */
export function lockOutbox(dataDir: string, busy: (owner: number | null) => Error): () => void {
  const file = path.join(dataDir, OUTBOX_LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number(fs.readFileSync(file, "utf8").trim());
    if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) throw busy(owner);
    fs.rmSync(file, { force: true });
  }
  throw busy(null);
}
