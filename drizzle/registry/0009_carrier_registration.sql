-- Carrier registration: whose registration ids are (status webhooks name only them; a purged church's campaigns are ended), and when each number was registered.
CREATE TABLE "registration_refs" (
	"ref" text PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"what" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "phone_number_index" ADD COLUMN "registered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "registration_refs" ADD CONSTRAINT "registration_refs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "registration_refs_tenant_idx" ON "registration_refs" USING btree ("tenant_id");