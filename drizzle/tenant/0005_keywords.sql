-- Keywords churches choose ("JOIN"), and each text that matched one (what it did, for the thread and the counts).
CREATE TYPE "public"."keyword_outcome" AS ENUM('joined', 'already_subscribed', 'opted_out');--> statement-breakpoint
CREATE TABLE "keyword_uses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"keyword_id" uuid,
	"word" text NOT NULL,
	"message_id" uuid NOT NULL,
	"member_id" uuid,
	"outcome" "keyword_outcome" NOT NULL,
	"new_member" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "keyword_uses_message_id_unique" UNIQUE("message_id")
);
--> statement-breakpoint
CREATE TABLE "keywords" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"word" text NOT NULL,
	"reply" text NOT NULL,
	"add_tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "keywords_word_unique" UNIQUE("word")
);
--> statement-breakpoint
ALTER TABLE "keyword_uses" ADD CONSTRAINT "keyword_uses_keyword_id_keywords_id_fk" FOREIGN KEY ("keyword_id") REFERENCES "public"."keywords"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "keyword_uses" ADD CONSTRAINT "keyword_uses_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "keyword_uses" ADD CONSTRAINT "keyword_uses_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "keyword_uses_keyword_idx" ON "keyword_uses" USING btree ("keyword_id","created_at");