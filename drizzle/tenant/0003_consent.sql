CREATE TYPE "public"."consent_source" AS ENUM('text', 'import', 'form', 'admin', 'system');--> statement-breakpoint
ALTER TYPE "public"."opt_in_source" ADD VALUE 'form';--> statement-breakpoint
-- A value added to an enum cannot be used in the transaction that adds it, so the type is rebuilt with it instead.
ALTER TYPE "public"."subscription" RENAME TO "subscription_before_consent";--> statement-breakpoint
CREATE TYPE "public"."subscription" AS ENUM('subscribed', 'unsubscribed', 'not_opted_in');--> statement-breakpoint
ALTER TABLE "members" ALTER COLUMN "subscription" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "members" ALTER COLUMN "subscription" SET DATA TYPE "public"."subscription" USING "subscription"::text::"public"."subscription";--> statement-breakpoint
ALTER TABLE "members" ALTER COLUMN "subscription" SET DEFAULT 'not_opted_in';--> statement-breakpoint
DROP TYPE "public"."subscription_before_consent";--> statement-breakpoint
ALTER TABLE "broadcasts" ADD COLUMN "error" text;--> statement-breakpoint
CREATE TABLE "consent_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"member_id" uuid,
	"phone" text NOT NULL,
	"previous" "subscription",
	"state" "subscription" NOT NULL,
	"source" "consent_source" NOT NULL,
	"detail" text,
	"provider_message_id" text,
	"admin_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "consent_events" ADD CONSTRAINT "consent_events_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consent_events_member_idx" ON "consent_events" USING btree ("member_id","created_at");--> statement-breakpoint
CREATE INDEX "consent_events_phone_idx" ON "consent_events" USING btree ("phone","created_at");--> statement-breakpoint
-- Someone who only ever texted in was counted as subscribed; a first text is not consent to broadcasts.
WITH "changed" AS (
	UPDATE "members" SET "subscription" = 'not_opted_in', "subscription_changed_at" = now()
	 WHERE "subscription" = 'subscribed' AND "subscription_source" = 'inbound'
	RETURNING "id", "phone"
)
INSERT INTO "consent_events" ("member_id", "phone", "previous", "state", "source", "detail")
SELECT "id", "phone", 'subscribed', 'not_opted_in', 'system', 'Texted in before consent was recorded: not opted in until they opt in' FROM "changed";
