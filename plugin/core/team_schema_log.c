/*
 * Team schema version 2: the central conversation log (docs/LOG.md).
 *
 * Every client ships the records of its local log, unchanged and with their
 * hashes, into log_record under the id of its chain (one local log file):
 * each agent's chain verifies centrally exactly as it does on disk.  A
 * customer message several clients logged is stored once per chain (each
 * chain must stay whole) and read once: readers keep one copy per
 * (platform, account, platform message id).
 *
 * Erasure orders: branddm-admin erases the central copies and leaves an
 * order that every client applies to its own log the next time it is
 * connected, recording that it did in erasure_applied.  A client ships
 * nothing while an order it has not applied exists (the ship statement
 * checks, under the lock an erase takes), so no unerased copy arrives after
 * the order.
 *
 * Agents insert records and never change them: no UPDATE or DELETE on
 * log_record, and no SELECT either (an agent's client needs none).
 */
#include "team_schema_private.h"

const char bdm_team_migration_log[] =
	"CREATE TABLE branddm.log_chain ("
	" chain uuid PRIMARY KEY,"
	" agent text NOT NULL,"
	" anchor_id bigint NOT NULL,"
	" anchor_hash bytea NOT NULL,"
	" registered_at timestamptz NOT NULL DEFAULT now(),"
	" registered_by name NOT NULL DEFAULT current_user);"
	"CREATE TABLE branddm.log_record ("
	" chain uuid NOT NULL REFERENCES branddm.log_chain,"
	" id bigint NOT NULL,"
	" kind text NOT NULL,"
	" platform text,"
	" account text,"
	" conversation_id text,"
	" customer_id text,"
	" customer_name text,"
	" direction int,"
	" text text,"
	" platform_message_id text,"
	" platform_time bigint NOT NULL,"
	" logged_time bigint NOT NULL,"
	" automated boolean NOT NULL,"
	" template_name text,"
	" detail text,"
	" agent text NOT NULL,"
	" erased boolean NOT NULL,"
	" personal_hash bytea,"
	" content_hash bytea NOT NULL,"
	" hash bytea NOT NULL,"
	/* A brand message the shipping client saw by polling but did not send:
	 * never the copy that names who answered. */
	" sent_elsewhere boolean NOT NULL DEFAULT false,"
	/* Set when a central erase blanked this copy. */
	" erase_order bigint,"
	" shipped_at timestamptz NOT NULL DEFAULT now(),"
	" PRIMARY KEY (chain, id));"
	"CREATE INDEX log_record_time ON branddm.log_record (logged_time);"
	"CREATE INDEX log_record_customer ON branddm.log_record (customer_id);"
	"CREATE INDEX log_record_conversation ON branddm.log_record (conversation_id)"
	" WHERE conversation_id IS NOT NULL;"
	"CREATE INDEX log_record_message ON branddm.log_record"
	" (platform, account, platform_message_id) WHERE platform_message_id IS NOT NULL;"
	"CREATE TABLE branddm.erasure_order ("
	" id bigserial PRIMARY KEY,"
	" platform text,"
	" customer_id text NOT NULL,"
	" tombstone text NOT NULL,"
	" central_records bigint NOT NULL DEFAULT 0,"
	" ordered_at timestamptz NOT NULL DEFAULT now(),"
	" ordered_by name NOT NULL DEFAULT current_user);"
	"CREATE TABLE branddm.erasure_applied ("
	" order_id bigint REFERENCES branddm.erasure_order,"
	" chain uuid REFERENCES branddm.log_chain,"
	" agent text NOT NULL,"
	" records bigint NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now(),"
	" PRIMARY KEY (order_id, chain));"
	/* Clients connected now apply an order at once; the others on connect. */
	"CREATE FUNCTION branddm.notify_erasure() RETURNS trigger"
	" LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$"
	" BEGIN"
	"  PERFORM pg_notify('branddm', 'erase:-/-/' || NEW.id);"
	"  RETURN NULL;"
	" END $fn$;"
	"CREATE TRIGGER erasure_notify AFTER INSERT ON branddm.erasure_order"
	" FOR EACH ROW EXECUTE FUNCTION branddm.notify_erasure();"
	"GRANT SELECT, INSERT ON branddm.log_chain TO branddm_agent;"
	"GRANT INSERT ON branddm.log_record TO branddm_agent;"
	"GRANT SELECT ON branddm.erasure_order TO branddm_agent;"
	"GRANT SELECT, INSERT ON branddm.erasure_applied TO branddm_agent;"
	"GRANT ALL ON branddm.log_chain, branddm.log_record, branddm.erasure_order,"
	" branddm.erasure_applied TO branddm_admin;"
	"GRANT ALL ON SEQUENCE branddm.erasure_order_id_seq TO branddm_admin;";
