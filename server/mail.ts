import nodemailer from 'nodemailer';
import type { Config } from './config';
import { log } from './log';

/** One transport per SMTP address (one in production; tests may point services at their own listener). */
const transports = new Map<string, nodemailer.Transporter>();

function transportFor(config: Config) {
  if (!config.SMTP_URL) return null;
  let transport = transports.get(config.SMTP_URL);
  if (!transport) {
    // Bounded, so a hung mail server fails a job (which is retried) rather than holding a worker for ten minutes.
    transport = nodemailer.createTransport(config.SMTP_URL, {
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
    transports.set(config.SMTP_URL, transport);
  }
  return transport;
}

type Mail = { to: string; subject: string; text: string; messageId?: string };

/** Send through SMTP when SMTP_URL is set; otherwise return false and the caller shows the link instead. */
export async function sendMail(config: Config, message: Mail): Promise<boolean> {
  const transport = transportFor(config);
  if (!transport) return false;
  try {
    await transport.sendMail({ from: config.MAIL_FROM, ...message });
    return true;
  } catch (err) {
    log.warn('email could not be sent', { to: message.to, err });
    return false;
  }
}

/**
 * For mail a job must deliver (notifications): throws when the mail server refuses it, so the job is retried.
 * Without SMTP_URL it goes to the server log, marked "development mail" (what people wrote is redacted there, so the
 * links are logged on their own). `messageId` lets a retry resend the same message, which mail systems recognise.
 */
export async function deliverMail(config: Config, message: Mail & { links?: string[] }): Promise<'sent' | 'logged'> {
  const { links, ...mail } = message;
  const transport = transportFor(config);
  if (!transport) {
    log.warn('development mail (SMTP_URL is not set): not sent', { to: mail.to, subject: mail.subject, links });
    return 'logged';
  }
  await transport.sendMail({ from: config.MAIL_FROM, ...mail });
  return 'sent';
}
