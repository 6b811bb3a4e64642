-- Numbers a church owns: who supplied each (numbers typed in before ordering existed become "claimed", which neither
-- routes nor sends), its order's state and monthly cost, who bought it; and each church's number limit.
ALTER TABLE "phone_number_index" ADD COLUMN "provider" text DEFAULT 'claimed' NOT NULL;--> statement-breakpoint
ALTER TABLE "phone_number_index" ALTER COLUMN "provider" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "phone_number_index" ADD COLUMN "status" text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE "phone_number_index" ADD COLUMN "order_id" text;--> statement-breakpoint
ALTER TABLE "phone_number_index" ADD COLUMN "monthly_cost_cents" integer;--> statement-breakpoint
ALTER TABLE "phone_number_index" ADD COLUMN "currency" text;--> statement-breakpoint
ALTER TABLE "phone_number_index" ADD COLUMN "ordered_by" uuid;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "number_limit" integer;
