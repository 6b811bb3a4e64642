-- The carrier's error code of a failed text (Telnyx's 40xxx), for the reason shown to admins and broadcast stats.
ALTER TABLE "messages" ADD COLUMN "error_code" text;
