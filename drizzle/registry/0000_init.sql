CREATE TYPE "public"."provisioning_state" AS ENUM('queued', 'provisioning', 'ready', 'failed');--> statement-breakpoint
CREATE TYPE "public"."tenant_status" AS ENUM('provisioning', 'active', 'suspended', 'failed', 'deleting', 'deleted');--> statement-breakpoint
CREATE TABLE "admin_email_index" (
	"email" text PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"admin_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "churches" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"timezone" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "db_servers" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"host" text NOT NULL,
	"port" integer NOT NULL,
	"admin_url_env" text DEFAULT 'DATABASE_URL' NOT NULL,
	"accepting" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "db_servers_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "phone_number_index" (
	"e164" text PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provisioning_jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"ticket_hash" text NOT NULL,
	"state" "provisioning_state" DEFAULT 'queued' NOT NULL,
	"steps" jsonb NOT NULL,
	"admin_id" uuid NOT NULL,
	"admin_name" text NOT NULL,
	"admin_email" text NOT NULL,
	"admin_password_hash" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"heartbeat_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "provisioning_jobs_tenant_id_unique" UNIQUE("tenant_id"),
	CONSTRAINT "provisioning_jobs_ticket_hash_unique" UNIQUE("ticket_hash")
);
--> statement-breakpoint
CREATE TABLE "queue_workers" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"status" "tenant_status" DEFAULT 'provisioning' NOT NULL,
	"db_server_id" integer NOT NULL,
	"db_name" text NOT NULL,
	"db_role" text NOT NULL,
	"db_secret" text NOT NULL,
	"schema_version" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	CONSTRAINT "tenants_slug_unique" UNIQUE("slug"),
	CONSTRAINT "tenants_db_name_unique" UNIQUE("db_name"),
	CONSTRAINT "tenants_db_role_unique" UNIQUE("db_role")
);
--> statement-breakpoint
ALTER TABLE "admin_email_index" ADD CONSTRAINT "admin_email_index_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "churches" ADD CONSTRAINT "churches_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phone_number_index" ADD CONSTRAINT "phone_number_index_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_jobs" ADD CONSTRAINT "provisioning_jobs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_db_server_id_db_servers_id_fk" FOREIGN KEY ("db_server_id") REFERENCES "public"."db_servers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "admin_email_index_tenant_idx" ON "admin_email_index" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "phone_number_index_tenant_idx" ON "phone_number_index" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "provisioning_jobs_state_idx" ON "provisioning_jobs" USING btree ("state","heartbeat_at");