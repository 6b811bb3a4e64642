-- The connect card: its settings, each card sent in, and the address a form opt-in came from.
CREATE TABLE "connect_card" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"welcome_text" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"first_visit_tag" text DEFAULT 'first-time guest',
	"prayer_field" boolean DEFAULT true NOT NULL,
	"privacy_url" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "connect_card_submissions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"form_token" text NOT NULL,
	"member_id" uuid,
	"new_member" boolean NOT NULL,
	"first_visit" boolean NOT NULL,
	"consented" boolean NOT NULL,
	"welcome_message_id" uuid,
	"client_address" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connect_card_submissions_form_token_unique" UNIQUE("form_token")
);
--> statement-breakpoint
ALTER TABLE "consent_events" ADD COLUMN "client_address" text;--> statement-breakpoint
ALTER TABLE "connect_card_submissions" ADD CONSTRAINT "connect_card_submissions_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "connect_card_submissions_created_idx" ON "connect_card_submissions" USING btree ("created_at");--> statement-breakpoint
INSERT INTO "connect_card" ("id") VALUES (1) ON CONFLICT DO NOTHING;