-- Quiet hours: the church's setting (one row, 21:00-08:00 by default), and broadcast texts held until they end.
CREATE TABLE "quiet_hours" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"start_minute" integer DEFAULT 1260 NOT NULL,
	"end_minute" integer DEFAULT 480 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "not_before" timestamp with time zone;--> statement-breakpoint
INSERT INTO "quiet_hours" ("id") VALUES (1) ON CONFLICT DO NOTHING;