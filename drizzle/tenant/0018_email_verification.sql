-- Email verification: until the owner's email is verified a church texts only its team (admins' own phones). Churches made before it existed are grandfathered: their admins count as verified from the day they joined.
ALTER TABLE "admins" ADD COLUMN "email_verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "admins" ADD COLUMN "phone" text;--> statement-breakpoint
UPDATE "admins" SET "email_verified_at" = "created_at";
