-- Carrier registration: what a church told US carriers (10DLC brand and campaign, or toll-free verification), and what they answered.
CREATE TABLE "carrier_registrations" (
	"kind" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"details" jsonb NOT NULL,
	"sent" jsonb,
	"brand_id" text,
	"campaign_id" text,
	"verification_id" text,
	"numbers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"resubmit" boolean DEFAULT false NOT NULL,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"checking_until" timestamp with time zone,
	"submitted_by" uuid,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
