ALTER TYPE "public"."tenant_status" ADD VALUE 'closed';--> statement-breakpoint
ALTER TYPE "public"."tenant_status" ADD VALUE 'moving';--> statement-breakpoint
ALTER TABLE "db_servers" ADD COLUMN "capacity" integer DEFAULT 1000 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "migrated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "migration_error" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "purge_after" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "status_reason" text;