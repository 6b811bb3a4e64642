-- Sequences: automated follow-up (triggers, steps, enrollments, replies per step), and each step's text kept once.
CREATE TYPE "public"."sequence_state" AS ENUM('active', 'paused');--> statement-breakpoint
ALTER TYPE "public"."message_kind" ADD VALUE 'sequence';--> statement-breakpoint
CREATE TABLE "sequence_enrollments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"sequence_id" uuid NOT NULL,
	"member_id" uuid,
	"state" text DEFAULT 'active' NOT NULL,
	"stop_reason" text,
	"source" text NOT NULL,
	"occurrence" text,
	"next_step" integer DEFAULT 0 NOT NULL,
	"anchor_at" timestamp with time zone DEFAULT now() NOT NULL,
	"next_at" timestamp with time zone,
	"enrolled_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sequence_replies" (
	"enrollment_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sequence_replies_enrollment_id_position_pk" PRIMARY KEY("enrollment_id","position")
);
--> statement-breakpoint
CREATE TABLE "sequence_steps" (
	"sequence_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"wait" integer NOT NULL,
	"unit" text NOT NULL,
	"at_minute" integer,
	"body" text NOT NULL,
	CONSTRAINT "sequence_steps_sequence_id_position_pk" PRIMARY KEY("sequence_id","position")
);
--> statement-breakpoint
CREATE TABLE "sequences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"trigger" text NOT NULL,
	"keyword_id" uuid,
	"tag" text,
	"first_visit_only" boolean DEFAULT false NOT NULL,
	"field_id" uuid,
	"at_minute" integer,
	"state" "sequence_state" DEFAULT 'active' NOT NULL,
	"stop_on_reply" boolean DEFAULT true NOT NULL,
	"reenroll" boolean DEFAULT false NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "enrollment_id" uuid;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "step_position" integer;--> statement-breakpoint
ALTER TABLE "sequence_enrollments" ADD CONSTRAINT "sequence_enrollments_sequence_id_sequences_id_fk" FOREIGN KEY ("sequence_id") REFERENCES "public"."sequences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sequence_enrollments" ADD CONSTRAINT "sequence_enrollments_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sequence_replies" ADD CONSTRAINT "sequence_replies_enrollment_id_sequence_enrollments_id_fk" FOREIGN KEY ("enrollment_id") REFERENCES "public"."sequence_enrollments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sequence_steps" ADD CONSTRAINT "sequence_steps_sequence_id_sequences_id_fk" FOREIGN KEY ("sequence_id") REFERENCES "public"."sequences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sequences" ADD CONSTRAINT "sequences_keyword_id_keywords_id_fk" FOREIGN KEY ("keyword_id") REFERENCES "public"."keywords"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sequences" ADD CONSTRAINT "sequences_field_id_custom_fields_id_fk" FOREIGN KEY ("field_id") REFERENCES "public"."custom_fields"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sequence_enrollments_active_unique" ON "sequence_enrollments" USING btree ("sequence_id","member_id") WHERE "sequence_enrollments"."state" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "sequence_enrollments_occurrence_unique" ON "sequence_enrollments" USING btree ("sequence_id","member_id","occurrence") WHERE "sequence_enrollments"."occurrence" is not null;--> statement-breakpoint
CREATE INDEX "sequence_enrollments_due_idx" ON "sequence_enrollments" USING btree ("next_at") WHERE "sequence_enrollments"."state" = 'active';--> statement-breakpoint
CREATE INDEX "sequence_enrollments_member_idx" ON "sequence_enrollments" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sequences_name_unique" ON "sequences" USING btree (lower("name"));--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_enrollment_id_sequence_enrollments_id_fk" FOREIGN KEY ("enrollment_id") REFERENCES "public"."sequence_enrollments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_sequence_step_once_idx" ON "messages" USING btree ("enrollment_id","step_position") WHERE "messages"."enrollment_id" is not null;--> statement-breakpoint
CREATE INDEX "messages_sequence_pending_idx" ON "messages" USING btree ("created_at") WHERE "messages"."enrollment_id" is not null and "messages"."status" in ('queued', 'sending');--> statement-breakpoint
-- A sequence triggered by a tag enrolls every subscribed member who just got it, whatever added it (an admin, an
-- import, a keyword, the connect card), in the statement that added it. The runner (server/sequences/runner.ts)
-- works out when the first step is due. The rule for who may be enrolled is server/sequences/enroll.ts's.
CREATE FUNCTION steeple_enroll_on_tags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM sequences WHERE "trigger" = 'tag' AND state = 'active') THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO sequence_enrollments (sequence_id, member_id, source)
    SELECT s.id, n.id, 'tag'
      FROM new_rows n JOIN sequences s ON s."trigger" = 'tag' AND s.state = 'active'
     WHERE n.subscription = 'subscribed'
       AND EXISTS (SELECT 1 FROM unnest(n.tags) t WHERE lower(t) = lower(s.tag))
       AND (s.reenroll OR NOT EXISTS (
             SELECT 1 FROM sequence_enrollments e WHERE e.sequence_id = s.id AND e.member_id = n.id))
    ON CONFLICT DO NOTHING;
  ELSE
    -- Only a tag the member did not have before the statement (old_rows exists in an update's trigger only).
    INSERT INTO sequence_enrollments (sequence_id, member_id, source)
    SELECT s.id, n.id, 'tag'
      FROM new_rows n JOIN old_rows o ON o.id = n.id
      JOIN sequences s ON s."trigger" = 'tag' AND s.state = 'active'
     WHERE n.subscription = 'subscribed'
       AND EXISTS (SELECT 1 FROM unnest(n.tags) t WHERE lower(t) = lower(s.tag))
       AND NOT EXISTS (SELECT 1 FROM unnest(o.tags) t WHERE lower(t) = lower(s.tag))
       AND (s.reenroll OR NOT EXISTS (
             SELECT 1 FROM sequence_enrollments e WHERE e.sequence_id = s.id AND e.member_id = n.id))
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER members_enroll_on_tags_insert AFTER INSERT ON members
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION steeple_enroll_on_tags();--> statement-breakpoint
CREATE TRIGGER members_enroll_on_tags_update AFTER UPDATE ON members
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION steeple_enroll_on_tags();
