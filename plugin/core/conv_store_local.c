/*
 * The "local" conversation-state store: the state lives in the agent's own
 * conversation log, in its key/value state table.  The keys are the ones
 * the desk has always written, so state saved by earlier versions loads:
 *
 *   conv/<platform>/<account>/<customer>/escalation   {"department","reason","trigger","time"}
 *   .../sla          "<waiting since> <urgent 0|1> <alerted level> <alerted waiting since>"
 *   .../ticket  .../lang  .../name  .../assigned
 *   .../status       "resolved"; absent: open
 *   .../tag/<label>  Unix time of the tagging (informational, never read)
 *   .../auto_reply   time of the "auto_reply" claim, which is auto_replied too
 *   .../claim/<action>  time of any other claim
 *   ticket_seq/<platform>  the last ticket number handed out
 *
 * A field that is unset has no row.  One transaction is one log batch;
 * inside a batch the caller opened, the writes join it and count only when
 * the caller's commit succeeds (a ticket or claim got there is void if it
 * fails).  list(BDM_LIST_ALL) returns every customer with any row under the
 * account, claims and fields unknown to this version included.
 */
#define G_LOG_DOMAIN "branddm-store"

#include <stdio.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "branddm/i18n.h"
#include "conv_store_local.h"

typedef struct {
	BdmStore base;
	BdmLog *log;          /* not owned; NULL when the log could not be opened */
} LocalStore;

static const BdmStoreBackend local_backend;

/* The store's log, or NULL with an error saying it is not open. */
static BdmLog *log_of(BdmStore *store, GError **error)
{
	LocalStore *local = (LocalStore *)store;

	g_assert(store != NULL && store->backend == &local_backend);
	if (local->log == NULL)
		g_set_error_literal(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN,
		                    _("The conversation log is not open."));
	return local->log;
}

static void assert_state(const BdmConvState *state)
{
	g_assert(state != NULL && state->platform != NULL && state->account != NULL &&
	         state->customer != NULL && state->tags != NULL);
}

static char *conv_key(const BdmConvState *state, const char *field)
{
	return g_strconcat("conv/", state->platform, "/", state->account, "/", state->customer,
	                   "/", field, NULL);
}

/* Now as the value of a row that only records when it was written. */
static char *now_string(void)
{
	return g_strdup_printf("%" G_GINT64_FORMAT, g_get_real_time() / G_USEC_PER_SEC);
}

/* ---- transactions -------------------------------------------------------- */

/* Open the call's one transaction: a batch of our own, or the caller's. */
static gboolean begin_one(BdmLog *log, gboolean *own, GError **error)
{
	*own = !bdm_log_in_batch(log);
	return !*own || bdm_log_batch_begin(log, error);
}

/* Commit our batch when every step went well, else drop it.  A failed write
 * in the caller's batch has already doomed that batch (log.h). */
static gboolean end_one(BdmLog *log, gboolean own, gboolean ok, GError **error)
{
	if (!own)
		return ok;
	if (!ok) {
		bdm_log_batch_abort(log);
		return FALSE;
	}
	return bdm_log_batch_commit(log, error);
}

/* bdm_log_state_get that tells "unset" (TRUE, *value NULL) from a failure. */
static gboolean get_row(BdmLog *log, const char *key, char **value, GError **error)
{
	GError *local = NULL;

	*value = bdm_log_state_get(log, key, &local);
	if (local == NULL)
		return TRUE;
	g_propagate_error(error, local);
	return FALSE;
}

static gboolean set_field(BdmLog *log, const BdmConvState *state, const char *field,
                          const char *value, GError **error)
{
	char *key = conv_key(state, field);
	gboolean ok = bdm_log_state_set(log, key, value, error);

	g_free(key);
	return ok;
}

/* For out's identity, which may be the very strings passed in. */
static void set_identity(char **field, const char *value)
{
	if (strcmp(*field, value) != 0) {
		g_free(*field);
		*field = g_strdup(value);
	}
}

static gboolean local_load(BdmStore *store, const char *platform, const char *account,
                           const char *customer, BdmConvState *out, GError **error)
{
	BdmLog *log = log_of(store, error);
	GHashTable *states;
	BdmConvState *found;

	g_assert(platform != NULL && account != NULL && customer != NULL);
	g_assert(out != NULL && out->tags != NULL);
	if (log == NULL || (states = bdm_store_local_read(log, platform, account, customer, error)) == NULL)
		return FALSE;
	bdm_conv_state_reset(out);
	set_identity(&out->platform, platform);
	set_identity(&out->account, account);
	set_identity(&out->customer, customer);
	found = g_hash_table_lookup(states, customer);
	if (found != NULL)
		bdm_conv_state_move(out, found);
	g_hash_table_destroy(states);
	return TRUE;
}

static gboolean matches(const BdmConvState *state, BdmListFilter filter)
{
	switch (filter) {
	case BDM_LIST_WAITING:
		return state->sla.waiting_since != 0;
	case BDM_LIST_ESCALATED:
		return state->department != NULL;
	case BDM_LIST_ALL:
	default:
		return TRUE;
	}
}

static int by_customer(gconstpointer a, gconstpointer b)
{
	const BdmConvState *x = *(const BdmConvState *const *)a;
	const BdmConvState *y = *(const BdmConvState *const *)b;

	return strcmp(x->customer, y->customer);
}

static GPtrArray *local_list(BdmStore *store, const char *platform, const char *account,
                             BdmListFilter filter, GError **error)
{
	BdmLog *log = log_of(store, error);
	GHashTable *states;
	GHashTableIter iter;
	gpointer value;
	GPtrArray *list;

	g_assert(platform != NULL && account != NULL);
	if (log == NULL || (states = bdm_store_local_read(log, platform, account, NULL, error)) == NULL)
		return NULL;
	/* No free function: the states are the caller's (conv_store.h). */
	list = g_ptr_array_new();
	g_hash_table_iter_init(&iter, states);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		if (matches(value, filter)) {
			g_hash_table_iter_steal(&iter);
			g_ptr_array_add(list, value);
		}
	g_hash_table_destroy(states);
	/* Hash order differs between runs; reports and tests want the same one. */
	g_ptr_array_sort(list, by_customer);
	return list;
}

/* ---- writing ------------------------------------------------------------- */

static void add_string_or_null(JsonBuilder *b, const char *member, const char *value)
{
	json_builder_set_member_name(b, member);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static gboolean save_escalation(BdmLog *log, const BdmConvState *state, GError **error)
{
	JsonBuilder *b;
	JsonNode *root;
	char *json;
	gboolean ok;

	if (state->department == NULL)
		return set_field(log, state, "escalation", NULL, error);
	b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "department");
	json_builder_add_string_value(b, state->department);
	add_string_or_null(b, "reason", state->reason);
	add_string_or_null(b, "trigger", state->trigger);
	json_builder_set_member_name(b, "time");
	json_builder_add_int_value(b, state->escalated_at);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json = json_to_string(root, FALSE);
	ok = set_field(log, state, "escalation", json, error);
	g_free(json);
	json_node_unref(root);
	g_object_unref(b);
	return ok;
}

static gboolean save_sla(BdmLog *log, const BdmConvState *state, GError **error)
{
	char *value;
	gboolean ok;

	if (state->sla.waiting_since == 0 && !state->sla.urgent &&
	    state->alerted.level == BDM_SLA_NONE)
		return set_field(log, state, "sla", NULL, error);
	value = g_strdup_printf("%" G_GINT64_FORMAT " %d %d %" G_GINT64_FORMAT,
	                        state->sla.waiting_since, state->sla.urgent ? 1 : 0,
	                        (int)state->alerted.level, state->alerted.waiting_since);
	ok = set_field(log, state, "sla", value, error);
	g_free(value);
	return ok;
}

/* Make the stored tag set state's: stored holds what the log has now. */
static gboolean save_tags(BdmLog *log, const BdmConvState *state, const BdmConvState *stored,
                          GError **error)
{
	char *field, *when = now_string();
	gboolean ok = TRUE;
	guint i;

	for (i = 0; ok && stored != NULL && i < stored->tags->len; i++) {
		const char *had = g_ptr_array_index(stored->tags, i);

		if (bdm_conv_state_has_tag(state, had))
			continue;
		field = g_strconcat(TAG_FIELD, had, NULL);
		ok = set_field(log, state, field, NULL, error);
		g_free(field);
	}
	for (i = 0; ok && i < state->tags->len; i++) {
		const char *want = g_ptr_array_index(state->tags, i);

		/* Loading splits at the last '/': a label may not hold one. */
		g_assert(*want != '\0' && strchr(want, '/') == NULL);
		if (stored != NULL && bdm_conv_state_has_tag(stored, want))
			continue;   /* keeps the time it was first tagged */
		field = g_strconcat(TAG_FIELD, want, NULL);
		ok = set_field(log, state, field, when, error);
		g_free(field);
	}
	g_free(when);
	return ok;
}

static gboolean local_save(BdmStore *store, const BdmConvState *state, guint fields,
                           GError **error)
{
	BdmLog *log = log_of(store, error);
	GHashTable *states = NULL;
	const BdmConvState *stored = NULL;
	char *when;
	gboolean own, ok = TRUE;

	assert_state(state);
	g_assert((fields & ~(guint)BDM_CONV_ALL) == 0);
	if (log == NULL || !begin_one(log, &own, error))
		return FALSE;
	/* Read before the first write: a failed read leaves a caller's batch as it was. */
	if (fields & (BDM_CONV_TAGS | BDM_CONV_AUTO_REPLY)) {
		states = bdm_store_local_read(log, state->platform, state->account, state->customer, error);
		ok = states != NULL;
		stored = ok ? g_hash_table_lookup(states, state->customer) : NULL;
	}
	if (ok && (fields & BDM_CONV_ESCALATION))
		ok = save_escalation(log, state, error);
	if (ok && (fields & BDM_CONV_TICKET))
		ok = set_field(log, state, "ticket", state->ticket, error);
	if (ok && (fields & BDM_CONV_LANGUAGE))
		ok = set_field(log, state, "lang", state->language, error);
	if (ok && (fields & BDM_CONV_NAME))
		ok = set_field(log, state, "name", state->customer_name, error);
	if (ok && (fields & BDM_CONV_SLA))
		ok = save_sla(log, state, error);
	/* A claim already stored keeps its time: it says when the reply went. */
	if (ok && (fields & BDM_CONV_AUTO_REPLY) &&
	    !(state->auto_replied && stored != NULL && stored->auto_replied)) {
		when = state->auto_replied ? now_string() : NULL;
		ok = set_field(log, state, AUTO_REPLY, when, error);
		g_free(when);
	}
	if (ok && (fields & BDM_CONV_TAGS))
		ok = save_tags(log, state, stored, error);
	if (ok && (fields & BDM_CONV_ASSIGNED))
		ok = set_field(log, state, "assigned", state->assigned, error);
	if (ok && (fields & BDM_CONV_STATUS))
		ok = set_field(log, state, "status",
		               state->status == BDM_CONV_RESOLVED ? "resolved" : NULL, error);
	if (states != NULL)
		g_hash_table_destroy(states);
	return end_one(log, own, ok, error);
}

/* The number after the last one handed out; an unreadable counter is an
 * error, because guessing could hand a number out twice. */
static gboolean next_number(BdmLog *log, const char *seq_key, const char *seq, guint64 *n,
                            GError **error)
{
	GError *local = NULL;

	*n = 0;
	if (seq != NULL && !g_ascii_string_to_unsigned(seq, 10, 0, G_MAXUINT64 - 1, n, &local)) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID, "%s: %s: %s",
		            bdm_log_path(log), seq_key, local->message);
		g_error_free(local);
		return FALSE;
	}
	*n += 1;
	return TRUE;
}

static gboolean local_assign_ticket(BdmStore *store, BdmConvState *state, GError **error)
{
	BdmLog *log;
	char *ticket_key, *seq_key, *stored = NULL, *seq = NULL, *ticket = NULL;
	gboolean own, ok;
	guint64 n;

	assert_state(state);
	if (state->ticket != NULL)
		return TRUE;
	if ((log = log_of(store, error)) == NULL || !begin_one(log, &own, error))
		return FALSE;
	ticket_key = conv_key(state, "ticket");
	seq_key = g_strconcat("ticket_seq/", state->platform, NULL);
	/* Another process may have given this conversation one meanwhile. */
	ok = get_row(log, ticket_key, &stored, error);
	if (ok && stored == NULL) {
		char *upper = g_ascii_strup(state->platform, -1);
		char *next;

		ok = get_row(log, seq_key, &seq, error) &&
		     next_number(log, seq_key, seq, &n, error);
		if (ok) {
			next = g_strdup_printf("%" G_GUINT64_FORMAT, n);
			ticket = g_strdup_printf("%s-%" G_GUINT64_FORMAT, upper, n);
			ok = bdm_log_state_set(log, seq_key, next, error) &&
			     bdm_log_state_set(log, ticket_key, ticket, error);
			g_free(next);
		}
		g_free(upper);
	}
	if (end_one(log, own, ok, error))
		state->ticket = stored != NULL ? g_steal_pointer(&stored)
		                               : g_steal_pointer(&ticket);
	else
		ok = FALSE;
	g_free(ticket);
	g_free(stored);
	g_free(seq);
	g_free(seq_key);
	g_free(ticket_key);
	return ok;
}

/* "auto_reply" is the row that has always meant "the automatic reply went". */
static char *claim_key(const BdmConvState *state, const char *action)
{
	char *field, *key;

	g_assert(action != NULL && *action != '\0' && strchr(action, '/') == NULL);
	if (strcmp(action, AUTO_REPLY) == 0)
		return conv_key(state, AUTO_REPLY);
	field = g_strconcat(CLAIM_FIELD, action, NULL);
	key = conv_key(state, field);
	g_free(field);
	return key;
}

static BdmClaimResult local_claim(BdmStore *store, const BdmConvState *state, const char *action,
                                  gint64 now, GError **error)
{
	BdmLog *log;
	char *key, *held = NULL, *when;
	gboolean own, ok, won = FALSE;

	assert_state(state);
	key = claim_key(state, action);
	if ((log = log_of(store, error)) == NULL || !begin_one(log, &own, error)) {
		g_free(key);
		return BDM_CLAIM_ERROR;
	}
	/* Read and write in one transaction, which holds the write lock: no
	 * other process can claim in between. */
	ok = get_row(log, key, &held, error);
	if (ok && held == NULL) {
		when = g_strdup_printf("%" G_GINT64_FORMAT, now);
		ok = won = bdm_log_state_set(log, key, when, error);
		g_free(when);
	}
	ok = end_one(log, own, ok, error);
	g_free(held);
	g_free(key);
	if (!ok)
		return BDM_CLAIM_ERROR;
	return won ? BDM_CLAIM_WON : BDM_CLAIM_LOST;
}

static gboolean local_release(BdmStore *store, const BdmConvState *state, const char *action,
                              GError **error)
{
	BdmLog *log;
	char *key;
	gboolean ok;

	assert_state(state);
	key = claim_key(state, action);
	log = log_of(store, error);
	ok = log != NULL && bdm_log_state_set(log, key, NULL, error);
	g_free(key);
	return ok;
}

static void local_close(BdmStore *store)
{
	g_assert(store->backend == &local_backend);
	g_free(store);
}

static const BdmStoreBackend local_backend = {
	BDM_STORE_VERSION, "local",
	local_load, local_list, local_save, local_assign_ticket, local_claim, local_release,
	local_close,
	NULL, NULL          /* answers at once: no asynchronous claim or ticket */
};

BdmStore *bdm_store_local_new(BdmLog *log)
{
	LocalStore *local = g_new0(LocalStore, 1);

	/* A NULL log is allowed: the desk runs on when the log did not open,
	 * and every call then says so instead of crashing. */
	local->base.backend = &local_backend;
	local->log = log;
	return &local->base;
}
