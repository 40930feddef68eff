/*
 * The hash chain: canonical hashing of a record and verification.
 *
 *   personal = SHA-256(conversation, customer, name, text, message id, detail)
 *   content  = SHA-256(id, kind, platform, account, direction, times,
 *                      automated, template, agent, personal)
 *   hash     = SHA-256(previous record's hash || content)
 *
 * Every field is length-prefixed with a type tag, in a fixed order, so no
 * two different records share an encoding.  Splitting out the personal
 * fields lets an erase blank them and keep only their hash: the rest of the
 * record and the whole chain still verify.  docs/LOG.md has the full story.
 */
#include <inttypes.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "branddm/i18n.h"
#include "log_internal.h"
#include "log_read.h"

/* Report progress this often during verification. */
#define PROGRESS_EVERY 10000

enum { TAG_NULL = 0, TAG_TEXT = 1, TAG_INT = 2, TAG_HASH = 3 };

static void put_length(GChecksum *sum, guint8 tag, guint64 len)
{
	guint8 buf[9];
	int i;

	buf[0] = tag;
	for (i = 0; i < 8; i++)
		buf[1 + i] = (guint8)(len >> (56 - 8 * i));
	g_checksum_update(sum, buf, sizeof buf);
}

static void put_text(GChecksum *sum, const char *s)
{
	guint8 tag = TAG_NULL;
	gsize len;

	if (!s) {
		g_checksum_update(sum, &tag, 1);
		return;
	}
	len = strlen(s);
	put_length(sum, TAG_TEXT, len);
	g_checksum_update(sum, (const guchar *)s, len);
}

static void put_int(GChecksum *sum, gint64 v)
{
	put_length(sum, TAG_INT, (guint64)v);
}

static void put_hash(GChecksum *sum, const guint8 hash[BDM_HASH_LEN])
{
	put_length(sum, TAG_HASH, BDM_HASH_LEN);
	g_checksum_update(sum, hash, BDM_HASH_LEN);
}

static void finish(GChecksum *sum, guint8 out[BDM_HASH_LEN])
{
	gsize len = BDM_HASH_LEN;

	g_checksum_get_digest(sum, out, &len);
	g_checksum_free(sum);
}

void bdm_log_hash_personal(const BdmLogRecord *r, guint8 out[BDM_HASH_LEN])
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);

	put_text(sum, "branddm/personal/1");
	put_text(sum, r->conversation_id);
	put_text(sum, r->customer_id);
	put_text(sum, r->customer_name);
	put_text(sum, r->text);
	put_text(sum, r->platform_message_id);
	put_text(sum, r->detail_json);
	finish(sum, out);
}

void bdm_log_hash_content(const BdmLogRecord *r, const guint8 *personal, guint8 out[BDM_HASH_LEN])
{
	guint8 own[BDM_HASH_LEN];
	GChecksum *sum;

	if (!personal) {
		bdm_log_hash_personal(r, own);
		personal = own;
	}
	sum = g_checksum_new(G_CHECKSUM_SHA256);
	put_text(sum, "branddm/content/1");
	put_int(sum, r->id);
	put_text(sum, r->kind);
	put_text(sum, r->platform);
	put_text(sum, r->account);
	put_int(sum, r->direction);
	put_int(sum, r->platform_time);
	put_int(sum, r->logged_time);
	put_int(sum, r->automated ? 1 : 0);
	put_text(sum, r->template_name);
	put_text(sum, r->agent);
	put_hash(sum, personal);
	finish(sum, out);
}

void bdm_log_hash_link(const guint8 prev[BDM_HASH_LEN], const guint8 content[BDM_HASH_LEN],
                       guint8 out[BDM_HASH_LEN])
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);

	g_checksum_update(sum, prev, BDM_HASH_LEN);
	g_checksum_update(sum, content, BDM_HASH_LEN);
	finish(sum, out);
}

void bdm_log_hash_hex(const guint8 hash[BDM_HASH_LEN], char out[2 * BDM_HASH_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < BDM_HASH_LEN; i++) {
		out[2 * i] = digits[hash[i] >> 4];
		out[2 * i + 1] = digits[hash[i] & 0xf];
	}
	out[2 * BDM_HASH_LEN] = '\0';
}

/* ---- verification --------------------------------------------------------- */

typedef struct {
	gint64 start, end;
} IdRange;

struct BdmChainCheck {
	BdmLogVerifyResult *result;
	GArray *pending_erased;   /* gint64 ids of erased records not yet covered */
	gboolean anchor_confirmed;
	guint8 anchor_hash[BDM_HASH_LEN];
	guint8 prev[BDM_HASH_LEN];  /* stored hash of the record before */
	gint64 expect;              /* the id the next record should have */
};

static void problem(BdmChainCheck *vs, gint64 id, char *text)
{
	BdmLogVerifyResult *r = vs->result;

	r->broken++;
	if (r->first_broken_id == 0 || id < r->first_broken_id) {
		r->first_broken_id = id;
		g_free(r->problem);
		r->problem = text;
	} else {
		g_free(text);
	}
}

/* Typed reads: a forged detail with the wrong types must not trip GLib's
 * critical warnings, only fail to confirm anything. */
static gboolean node_int(JsonNode *node, gint64 *out)
{
	if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
		return FALSE;
	*out = json_node_get_int(node);
	return TRUE;
}

static const char *node_string(JsonNode *node)
{
	if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

/* An erase record lists the ids it blanked: drop them from the pending
 * list.  Both lists ascend, so one merge pass does it. */
static void cover_erased(BdmChainCheck *vs, const char *detail)
{
	JsonParser *parser = json_parser_new();
	JsonObject *obj = bdm_log_detail_object(parser, detail);
	JsonNode *member = obj ? json_object_get_member(obj, "records") : NULL;
	JsonArray *ranges;
	GArray *keep;
	guint i, j = 0, n;

	if (!member || !JSON_NODE_HOLDS_ARRAY(member)) {
		g_object_unref(parser);
		return;
	}
	ranges = json_node_get_array(member);
	n = json_array_get_length(ranges);
	keep = g_array_new(FALSE, FALSE, sizeof(gint64));
	for (i = 0; i < vs->pending_erased->len; i++) {
		gint64 id = g_array_index(vs->pending_erased, gint64, i);
		gboolean covered = FALSE;

		for (; j < n; j++) {
			JsonNode *node = json_array_get_element(ranges, j);
			JsonArray *pair;
			IdRange range;

			if (!JSON_NODE_HOLDS_ARRAY(node))
				continue;
			pair = json_node_get_array(node);
			if (json_array_get_length(pair) != 2 ||
			    !node_int(json_array_get_element(pair, 0), &range.start) ||
			    !node_int(json_array_get_element(pair, 1), &range.end))
				continue;
			if (range.end < id)
				continue;
			covered = range.start <= id;
			break;
		}
		if (!covered)
			g_array_append_val(keep, id);
	}
	g_array_unref(vs->pending_erased);
	vs->pending_erased = keep;
	g_object_unref(parser);
}

/* A purge record names the anchor it left: only then is a non-zero
 * anchor trusted, so deleting old records by hand is still detected. */
static void confirm_anchor(BdmChainCheck *vs, const char *detail)
{
	JsonParser *parser = json_parser_new();
	JsonObject *obj = bdm_log_detail_object(parser, detail);
	char hex[2 * BDM_HASH_LEN + 1];
	gint64 anchor_id;

	bdm_log_hash_hex(vs->anchor_hash, hex);
	if (obj && node_int(json_object_get_member(obj, "anchor_id"), &anchor_id) &&
	    anchor_id == vs->result->anchor_id &&
	    g_strcmp0(node_string(json_object_get_member(obj, "anchor_hash")), hex) == 0)
		vs->anchor_confirmed = TRUE;
	g_object_unref(parser);
}

BdmChainCheck *bdm_chain_check_new(BdmLogVerifyResult *result, gint64 anchor_id,
                                   const guint8 *anchor_hash)
{
	BdmChainCheck *vs = g_new0(BdmChainCheck, 1);

	memset(result, 0, sizeof *result);
	vs->result = result;
	vs->pending_erased = g_array_new(FALSE, FALSE, sizeof(gint64));
	result->anchor_id = anchor_id;
	if (anchor_hash)
		memcpy(vs->anchor_hash, anchor_hash, BDM_HASH_LEN);
	vs->anchor_confirmed = anchor_id == 0;
	memcpy(vs->prev, vs->anchor_hash, BDM_HASH_LEN);
	vs->expect = anchor_id + 1;
	return vs;
}

/* Check one record against the running chain; prev becomes its stored
 * hash, so each later record is judged on its own. */
void bdm_chain_check_add(BdmChainCheck *vs, const BdmLogRecord *r, gboolean erase_covered)
{
	guint8 computed[BDM_HASH_LEN], link[BDM_HASH_LEN];
	gboolean gap, content_ok, link_ok;
	gint64 expect = vs->expect;

	vs->expect = MAX(vs->expect, r->id) + 1;
	vs->result->records++;
	if (r->id < expect) {
		problem(vs, r->id, g_strdup_printf(_("record %" PRId64 " lies before the "
		                                     "purge anchor"), r->id));
		return;
	}
	gap = r->id > expect;
	if (gap)
		problem(vs, expect, r->id - 1 == expect
		        ? g_strdup_printf(_("record %" PRId64 " is missing"), expect)
		        : g_strdup_printf(_("records %" PRId64 " to %" PRId64
		                            " are missing"), expect, r->id - 1));
	if (!r->content_hash || !r->hash) {
		problem(vs, r->id, g_strdup_printf(_("record %" PRId64
		                                     ": hash columns damaged"), r->id));
		return;
	}
	if (r->erased && !r->personal_hash) {
		problem(vs, r->id, g_strdup_printf(_("record %" PRId64
		                                     ": erased but has no personal hash"), r->id));
		memcpy(vs->prev, r->hash, BDM_HASH_LEN);
		return;
	}
	bdm_log_hash_content(r, r->erased ? r->personal_hash : NULL, computed);
	content_ok = memcmp(computed, r->content_hash, BDM_HASH_LEN) == 0;
	bdm_log_hash_link(vs->prev, r->content_hash, link);
	link_ok = memcmp(link, r->hash, BDM_HASH_LEN) == 0;
	if (!content_ok)
		problem(vs, r->id, g_strdup_printf(_("record %" PRId64
		                                     ": content was changed"), r->id));
	else if (!link_ok && !gap)
		problem(vs, r->id, g_strdup_printf(_("record %" PRId64
		                                     ": chain link broken (a record before it was "
		                                     "removed, replaced or moved)"), r->id));
	memcpy(vs->prev, r->hash, BDM_HASH_LEN);
	if (!content_ok || !link_ok)
		return;

	if (r->erased && !erase_covered)
		g_array_append_val(vs->pending_erased, r->id);
	if (strcmp(r->kind, "erase") == 0)
		cover_erased(vs, r->detail_json);
	else if (strcmp(r->kind, "purge") == 0 && vs->result->anchor_id > 0)
		confirm_anchor(vs, r->detail_json);
}

void bdm_chain_check_end(BdmChainCheck *vs, gboolean has_head, gint64 head_id,
                         const guint8 *head_hash)
{
	BdmLogVerifyResult *res = vs->result;

	res->head_id = vs->expect - 1;
	bdm_log_hash_hex(vs->prev, res->head_hash);
	if (!has_head)
		;  /* a copy held elsewhere: its newest record is its head */
	else if (head_id > res->head_id)
		problem(vs, res->head_id + 1,
		        head_id == res->head_id + 1
		        ? g_strdup_printf(_("record %" PRId64 " is missing (the newest)"),
		                          head_id)
		        : g_strdup_printf(_("records %" PRId64 " to %" PRId64
		                            " are missing (the newest)"), res->head_id + 1, head_id));
	else if (head_id < res->head_id)
		problem(vs, head_id + 1, g_strdup_printf(_("record %" PRId64
		                                           " was added outside the chain"),
		                                         head_id + 1));
	else if (memcmp(vs->prev, head_hash, BDM_HASH_LEN) != 0)
		problem(vs, head_id, g_strdup_printf(_("record %" PRId64
		                                       ": does not match the chain head"), head_id));
	if (vs->pending_erased->len > 0) {
		gint64 id = g_array_index(vs->pending_erased, gint64, 0);

		problem(vs, id, g_strdup_printf(_("record %" PRId64
		                                  ": blanked without an erase record"), id));
	}
	if (!vs->anchor_confirmed)
		problem(vs, res->anchor_id + 1,
		        g_strdup_printf(_("records up to %" PRId64 " were deleted without "
		                          "a purge record"), res->anchor_id));
	g_array_unref(vs->pending_erased);
	g_free(vs);
}

static gboolean walk_chain(BdmLog *log, BdmLogVerifyResult *res, BdmLogProgressFunc progress,
                           gpointer user_data, GError **error)
{
	BdmLogQuery q = { 0 };
	BdmLogCursor *cursor;
	BdmChainCheck *check;
	const BdmLogRecord *r;
	guint8 anchor_hash[BDM_HASH_LEN], head_hash[BDM_HASH_LEN];
	gint64 head_id, anchor_id;
	GError *read_error = NULL;

	if (!bdm_log_head(log, &head_id, head_hash, &anchor_id, anchor_hash, error))
		return FALSE;
	q.with_hashes = TRUE;
	cursor = bdm_log_cursor_new(log, &q, error);
	if (!cursor)
		return FALSE;
	check = bdm_chain_check_new(res, anchor_id, anchor_hash);
	while ((r = bdm_log_cursor_next(cursor, &read_error))) {
		bdm_chain_check_add(check, r, FALSE);
		if (res->records % PROGRESS_EVERY == 0 && progress)
			progress(res->records, user_data);
	}
	bdm_log_cursor_free(cursor);
	bdm_chain_check_end(check, TRUE, head_id, head_hash);
	if (read_error) {
		g_propagate_error(error, read_error);
		return FALSE;
	}
	return TRUE;
}

gboolean bdm_log_verify_full(BdmLog *log, BdmLogVerifyResult *result, BdmLogProgressFunc progress,
                             gpointer user_data, GError **error)
{
	gboolean ok;

	memset(result, 0, sizeof *result);
	/* One read transaction: a consistent snapshot while the plugin writes. */
	ok = bdm_log_exec(log, "BEGIN", _("cannot start a transaction"), error);
	if (ok) {
		ok = walk_chain(log, result, progress, user_data, error);
		bdm_log_rollback(log);
	}
	if (!ok)
		bdm_log_verify_result_clear(result);
	return ok;
}

void bdm_log_verify_result_clear(BdmLogVerifyResult *result)
{
	g_free(result->problem);
	memset(result, 0, sizeof *result);
}

gboolean bdm_log_verify(BdmLog *log, gint64 *first_broken_id, GError **error)
{
	BdmLogVerifyResult res;

	if (first_broken_id)
		*first_broken_id = 0;
	if (!bdm_log_verify_full(log, &res, NULL, NULL, error))
		return FALSE;
	if (res.first_broken_id == 0) {
		bdm_log_verify_result_clear(&res);
		return TRUE;
	}
	if (first_broken_id)
		*first_broken_id = res.first_broken_id;
	g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_BROKEN, _("%s: chain broken: %s"),
	            log->path, res.problem);
	bdm_log_verify_result_clear(&res);
	return FALSE;
}
