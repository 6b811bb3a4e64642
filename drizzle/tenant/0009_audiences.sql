-- Audiences: the church's own member fields (definitions and typed, indexed values), saved segments, a broadcast's
-- conditions, and each member's first visit (filled in from the connect cards already sent in).
CREATE TYPE "public"."custom_field_type" AS ENUM('text', 'number', 'date', 'yes_no', 'choice');--> statement-breakpoint
ALTER TYPE "public"."broadcast_audience" ADD VALUE 'filter';--> statement-breakpoint
CREATE TABLE "custom_fields" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"type" "custom_field_type" NOT NULL,
	"options" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "custom_fields_key_unique" UNIQUE("key")
);
--> statement-breakpoint
CREATE TABLE "member_field_values" (
	"member_id" uuid NOT NULL,
	"field_id" uuid NOT NULL,
	"text_value" text,
	"number_value" numeric,
	"date_value" date,
	"bool_value" boolean,
	CONSTRAINT "member_field_values_member_id_field_id_pk" PRIMARY KEY("member_id","field_id")
);
--> statement-breakpoint
CREATE TABLE "segments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"filter" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "broadcasts" ADD COLUMN "filter" jsonb;--> statement-breakpoint
ALTER TABLE "broadcasts" ADD COLUMN "segment_name" text;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "first_visit_on" date;--> statement-breakpoint
ALTER TABLE "member_field_values" ADD CONSTRAINT "member_field_values_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_field_values" ADD CONSTRAINT "member_field_values_field_id_custom_fields_id_fk" FOREIGN KEY ("field_id") REFERENCES "public"."custom_fields"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "custom_fields_label_unique" ON "custom_fields" USING btree (lower("label"));--> statement-breakpoint
CREATE INDEX "member_field_values_text_idx" ON "member_field_values" USING btree ("field_id",lower("text_value"));--> statement-breakpoint
CREATE INDEX "member_field_values_number_idx" ON "member_field_values" USING btree ("field_id","number_value") WHERE "member_field_values"."number_value" is not null;--> statement-breakpoint
CREATE INDEX "member_field_values_date_idx" ON "member_field_values" USING btree ("field_id","date_value") WHERE "member_field_values"."date_value" is not null;--> statement-breakpoint
CREATE INDEX "member_field_values_bool_idx" ON "member_field_values" USING btree ("field_id","bool_value") WHERE "member_field_values"."bool_value" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "segments_name_unique" ON "segments" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "members_first_visit_idx" ON "members" USING btree ("first_visit_on");--> statement-breakpoint
UPDATE "members" m SET "first_visit_on" = s."first_on"
  FROM (SELECT "member_id", min("created_at")::date AS "first_on" FROM "connect_card_submissions"
         WHERE "first_visit" AND "member_id" IS NOT NULL GROUP BY "member_id") s
 WHERE s."member_id" = m."id";
