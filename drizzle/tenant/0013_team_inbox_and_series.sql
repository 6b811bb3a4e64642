-- The team inbox (notes, a closed state, search over what was said) and repeating broadcasts (a series per rule, an occurrence per broadcast).
CREATE TABLE "broadcast_series" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"body" text NOT NULL,
	"audience" "broadcast_audience" NOT NULL,
	"branch_id" uuid,
	"tag" text,
	"filter" jsonb,
	"segment_name" text,
	"rule" text NOT NULL,
	"skipped" timestamp with time zone[] DEFAULT '{}' NOT NULL,
	"ended_at" timestamp with time zone,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conversation_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"conversation_id" uuid NOT NULL,
	"admin_id" uuid,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "broadcasts" ADD COLUMN "series_id" uuid;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "broadcast_series" ADD CONSTRAINT "broadcast_series_branch_id_branches_id_fk" FOREIGN KEY ("branch_id") REFERENCES "public"."branches"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_notes" ADD CONSTRAINT "conversation_notes_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_notes" ADD CONSTRAINT "conversation_notes_admin_id_admins_id_fk" FOREIGN KEY ("admin_id") REFERENCES "public"."admins"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversation_notes_thread_idx" ON "conversation_notes" USING btree ("conversation_id","created_at");--> statement-breakpoint
CREATE INDEX "conversation_notes_search_idx" ON "conversation_notes" USING gin (to_tsvector('simple', "body"));--> statement-breakpoint
ALTER TABLE "broadcasts" ADD CONSTRAINT "broadcasts_series_id_broadcast_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."broadcast_series"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "broadcasts_series_occurrence_idx" ON "broadcasts" USING btree ("series_id","scheduled_at") WHERE "broadcasts"."series_id" is not null;--> statement-breakpoint
CREATE INDEX "messages_body_search_idx" ON "messages" USING gin (to_tsvector('simple', "body")) WHERE "messages"."kind" = 'conversation';--> statement-breakpoint
-- Threads assigned to someone no longer on the team go back to everyone, then the key keeps it so.
UPDATE "conversations" SET "assigned_admin_id" = NULL
 WHERE "assigned_admin_id" IS NOT NULL AND "assigned_admin_id" NOT IN (SELECT "id" FROM "admins");--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_assigned_admin_id_admins_id_fk" FOREIGN KEY ("assigned_admin_id") REFERENCES "public"."admins"("id") ON DELETE set null ON UPDATE no action;