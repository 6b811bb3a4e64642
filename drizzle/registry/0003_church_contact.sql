ALTER TABLE "churches" ADD COLUMN "country" text DEFAULT 'US' NOT NULL;--> statement-breakpoint
ALTER TABLE "churches" ADD COLUMN "contact_phone" text;--> statement-breakpoint
ALTER TABLE "churches" ADD COLUMN "contact_email" text;