-- The carrier's error code of a failed text (Telnyx's 40xxx), for the reason shown to admins and broadcast stats.
-- Texts Steeple itself refused before codes existed get its own codes, so they are never offered "Send again".
ALTER TABLE "messages" ADD COLUMN "error_code" text;--> statement-breakpoint
UPDATE "messages" SET "error_code" = CASE "error"
    WHEN 'Not sent: this person has unsubscribed (they replied STOP).' THEN 'steeple:unsubscribed'
    WHEN 'Not sent: this person has not opted in to broadcasts.' THEN 'steeple:not_opted_in'
    WHEN 'Not sent: the workspace was closed.' THEN 'steeple:closed'
  END
  WHERE "status" = 'failed' AND "error" IN (
    'Not sent: this person has unsubscribed (they replied STOP).',
    'Not sent: this person has not opted in to broadcasts.',
    'Not sent: the workspace was closed.'
  );
