import nodemailer from 'nodemailer';
import type { Config } from './config';
import { log } from './log';

let transport: nodemailer.Transporter | null | undefined;

/** Send through SMTP when SMTP_URL is set; otherwise return false and the caller shows the link instead. */
export async function sendMail(
  config: Config,
  message: { to: string; subject: string; text: string },
): Promise<boolean> {
  transport ??= config.SMTP_URL ? nodemailer.createTransport(config.SMTP_URL) : null;
  if (!transport) return false;
  try {
    await transport.sendMail({ from: config.MAIL_FROM, ...message });
    return true;
  } catch (err) {
    log.warn('email could not be sent', { to: message.to, err });
    return false;
  }
}
