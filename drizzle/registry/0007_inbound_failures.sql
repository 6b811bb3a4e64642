-- How many times delivering an event failed for a reason of its own (not a church outage): after 20 it is set aside.
ALTER TABLE "inbound_events" ADD COLUMN "failures" integer DEFAULT 0 NOT NULL;