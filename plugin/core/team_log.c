/*
 * The ship statement and its array parameters.  See team_log.h.
 */
#include <string.h>

#include <json-glib/json-glib.h>

#include "team_log.h"

#define COLUMNS "id, kind, platform, account, conversation_id, customer_id, customer_name," \
	" direction, text, platform_message_id, platform_time, logged_time, automated," \
	" template_name, detail, agent, erased, personal_hash, content_hash, hash, sent_elsewhere"

/* A data-modifying WITH runs even though nothing reads it; the insert sees
 * the orders committed before it started (an erase holds a lock that
 * conflicts with it until its order is committed). */
const char bdm_team_log_ship_sql[] =
	"WITH pending AS (SELECT count(*) AS n FROM branddm.erasure_order o WHERE NOT EXISTS"
	" (SELECT 1 FROM branddm.erasure_applied a WHERE a.order_id = o.id AND a.chain = $1::uuid)),"
	" ins AS (INSERT INTO branddm.log_record (chain, " COLUMNS ")"
	" SELECT $1::uuid, u.id, u.kind, u.platform, u.account, u.conversation_id, u.customer_id,"
	" u.customer_name, u.direction, u.text, u.platform_message_id, u.platform_time,"
	" u.logged_time, u.automated, u.template_name, u.detail, u.agent, u.erased,"
	" decode(u.personal_hash, 'hex'), decode(u.content_hash, 'hex'), decode(u.hash, 'hex'),"
	" u.sent_elsewhere"
	" FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
	" $8::text[], $9::int[], $10::text[], $11::text[], $12::bigint[], $13::bigint[],"
	" $14::boolean[], $15::text[], $16::text[], $17::text[], $18::boolean[], $19::text[],"
	" $20::text[], $21::text[], $22::boolean[]) AS u(" COLUMNS ")"
	" WHERE (SELECT n FROM pending) = 0"
	" ON CONFLICT DO NOTHING)"
	" SELECT n FROM pending";

const char bdm_team_log_register_sql[] =
	"INSERT INTO branddm.log_chain (chain, agent, anchor_id, anchor_hash)"
	" VALUES ($1::uuid, $2, $3::bigint, decode($4, 'hex')) ON CONFLICT DO NOTHING";

const char bdm_team_log_orders_sql[] =
	"SELECT id, platform, customer_id, tombstone FROM branddm.erasure_order o"
	" WHERE NOT EXISTS (SELECT 1 FROM branddm.erasure_applied a"
	" WHERE a.order_id = o.id AND a.chain = $1::uuid) ORDER BY id";

const char bdm_team_log_applied_sql[] =
	"INSERT INTO branddm.erasure_applied (order_id, chain, agent, records)"
	" VALUES ($1::bigint, $2::uuid, $3, $4::bigint) ON CONFLICT DO NOTHING";

/* One array literal per column of the ship statement, after the chain. */
enum { COLUMN_COUNT = BDM_TEAM_LOG_SHIP_PARAMS - 1 };

struct BdmTeamLogBatch {
	GString *column[COLUMN_COUNT];
	const char *params[BDM_TEAM_LOG_SHIP_PARAMS];
	char *closed[COLUMN_COUNT];   /* "{...}" of each column, made by _params */
	guint len;
	gint64 last_id;
};

BdmTeamLogBatch *bdm_team_log_batch_new(void)
{
	BdmTeamLogBatch *batch = g_new0(BdmTeamLogBatch, 1);
	int i;

	for (i = 0; i < COLUMN_COUNT; i++)
		batch->column[i] = g_string_new("{");
	return batch;
}

static void drop_params(BdmTeamLogBatch *batch)
{
	int i;

	for (i = 0; i < COLUMN_COUNT; i++)
		g_clear_pointer(&batch->closed[i], g_free);
}

void bdm_team_log_batch_free(BdmTeamLogBatch *batch)
{
	int i;

	if (batch == NULL)
		return;
	drop_params(batch);
	for (i = 0; i < COLUMN_COUNT; i++)
		g_string_free(batch->column[i], TRUE);
	g_free(batch);
}

void bdm_team_log_array_element(GString *buf, const char *s)
{
	gsize run;

	if (s == NULL) {
		g_string_append(buf, "NULL");
		return;
	}
	g_string_append_c(buf, '"');
	/* Whole runs at a time: this is the hot path of a backlog's batches. */
	while (*s) {
		run = strcspn(s, "\"\\");
		g_string_append_len(buf, s, (gssize)run);
		s += run;
		if (*s) {
			g_string_append_c(buf, '\\');
			g_string_append_c(buf, *s++);
		}
	}
	g_string_append_c(buf, '"');
}

/* Column col's array literal, ready for its next element. */
static GString *next_element(BdmTeamLogBatch *batch, int col)
{
	GString *buf = batch->column[col];

	if (buf->len > 1)
		g_string_append_c(buf, ',');
	return buf;
}

static void add_text(BdmTeamLogBatch *batch, int col, const char *s)
{
	GString *buf = next_element(batch, col);
	char *valid;

	if (s == NULL || g_utf8_validate(s, -1, NULL)) {
		bdm_team_log_array_element(buf, s);
		return;
	}
	/* The server refuses invalid UTF-8, and one refused record would hold
	 * back every later one: the copy goes up repaired, and verification
	 * names it as changed, as it is. */
	valid = g_utf8_make_valid(s, -1);
	bdm_team_log_array_element(buf, valid);
	g_free(valid);
}

/* Decimal digits without printf: a batch formats thousands of numbers. */
static void add_int(BdmTeamLogBatch *batch, int col, gint64 v)
{
	GString *buf = next_element(batch, col);
	char digits[24];
	guint64 u = v < 0 ? -(guint64)v : (guint64)v;
	int n = 0;

	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		g_string_append_c(buf, '-');
	while (n > 0)
		g_string_append_c(buf, digits[--n]);
}

static void add_bool(BdmTeamLogBatch *batch, int col, gboolean v)
{
	g_string_append_c(next_element(batch, col), v ? 't' : 'f');
}

/* An absent or damaged hash goes up empty: the central copy then fails
 * verification just as the local one does. */
static void add_hash(BdmTeamLogBatch *batch, int col, const guint8 *hash, gboolean nullable)
{
	char hex[2 * BDM_LOG_HASH_LEN + 1];

	if (hash == NULL) {
		add_text(batch, col, nullable ? NULL : "");
		return;
	}
	bdm_log_hash_hex(hash, hex);
	add_text(batch, col, hex);
}

gboolean bdm_team_log_sent_elsewhere(const BdmLogRecord *r)
{
	JsonParser *parser;
	JsonObject *detail;
	JsonNode *flag;
	gboolean elsewhere;

	if (r->direction != BDM_DIR_OUT || r->detail_json == NULL || strcmp(r->kind, "message") != 0)
		return FALSE;
	parser = json_parser_new();
	detail = bdm_log_detail_object(parser, r->detail_json);
	flag = detail ? json_object_get_member(detail, "sent_elsewhere") : NULL;
	elsewhere = flag && JSON_NODE_HOLDS_VALUE(flag) &&
	            json_node_get_value_type(flag) == G_TYPE_BOOLEAN && json_node_get_boolean(flag);
	g_object_unref(parser);
	return elsewhere;
}

void bdm_team_log_batch_add(BdmTeamLogBatch *batch, const BdmLogRecord *r)
{
	int c = 0;

	drop_params(batch);
	add_int(batch, c++, r->id);
	add_text(batch, c++, r->kind);
	add_text(batch, c++, r->platform);
	add_text(batch, c++, r->account);
	add_text(batch, c++, r->conversation_id);
	add_text(batch, c++, r->customer_id);
	add_text(batch, c++, r->customer_name);
	if (r->direction < 0)
		add_text(batch, c++, NULL);
	else
		add_int(batch, c++, r->direction);
	add_text(batch, c++, r->text);
	add_text(batch, c++, r->platform_message_id);
	add_int(batch, c++, r->platform_time);
	add_int(batch, c++, r->logged_time);
	add_bool(batch, c++, r->automated);
	add_text(batch, c++, r->template_name);
	add_text(batch, c++, r->detail_json);
	add_text(batch, c++, r->agent ? r->agent : "");
	add_bool(batch, c++, r->erased);
	add_hash(batch, c++, r->personal_hash, TRUE);
	add_hash(batch, c++, r->content_hash, FALSE);
	add_hash(batch, c++, r->hash, FALSE);
	add_bool(batch, c++, bdm_team_log_sent_elsewhere(r));
	g_assert(c == COLUMN_COUNT);
	batch->len++;
	batch->last_id = r->id;
}

guint bdm_team_log_batch_len(const BdmTeamLogBatch *batch)
{
	return batch->len;
}

gint64 bdm_team_log_batch_last_id(const BdmTeamLogBatch *batch)
{
	return batch->last_id;
}

const char *const *bdm_team_log_batch_params(BdmTeamLogBatch *batch, const char *chain)
{
	int i;

	drop_params(batch);
	batch->params[0] = chain;
	for (i = 0; i < COLUMN_COUNT; i++) {
		batch->closed[i] = g_strconcat(batch->column[i]->str, "}", NULL);
		batch->params[i + 1] = batch->closed[i];
	}
	return batch->params;
}
