-- 'system': a consent change Steeple made for the texter (a number that opted out before, brought to a moved member).
ALTER TYPE "public"."opt_in_source" ADD VALUE 'system';--> statement-breakpoint
-- The arrival number of the last STOP/START applied: a keyword delivered out of order never undoes a newer one.
ALTER TABLE "members" ADD COLUMN "consent_seq" bigint;