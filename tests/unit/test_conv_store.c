/*
 * The "local" conversation-state store on real SQLite log files: every
 * field round-trips through a reopened log, in exactly the keys earlier
 * versions wrote (so existing user data loads); a save is one transaction;
 * ticket numbers are never reused; a claim is won exactly once; storage
 * errors are reported, never guessed around.
 */
#include <string.h>

#include "conv_store.h"
#include "test_log_util.h"

#define P "facebook"
#define A "page1"
#define KEY(customer, field) "conv/" P "/" A "/" customer "/" field

typedef struct {
	char *dir;
	char *path;
	BdmLog *log;
	BdmStore *store;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
	GError *error = NULL;

	(void)data;
	f->dir = tlog_tmpdir();
	f->path = g_build_filename(f->dir, "log.sqlite", NULL);
	f->log = bdm_log_open(f->path, "alice", &error);
	g_assert_no_error(error);
	f->store = bdm_store_local_new(f->log);
	g_assert_cmpint(f->store->backend->version, ==, BDM_STORE_VERSION);
	g_assert_cmpstr(f->store->backend->name, ==, "local");
}

static void teardown(Fixture *f, gconstpointer data)
{
	(void)data;
	bdm_store_close(f->store);
	bdm_log_close(f->log);
	tlog_rmtree(f->dir);
	g_free(f->dir);
	g_free(f->path);
}

/* Close everything and open the file again: what a restart sees. */
static void reopen(Fixture *f)
{
	GError *error = NULL;

	bdm_store_close(f->store);
	bdm_log_close(f->log);
	f->log = bdm_log_open(f->path, "alice", &error);
	g_assert_no_error(error);
	f->store = bdm_store_local_new(f->log);
}

static BdmConvState *load(Fixture *f, const char *platform, const char *customer)
{
	BdmConvState *s = bdm_conv_state_new(platform, A, customer);
	GError *error = NULL;

	g_assert_true(f->store->backend->load(f->store, platform, A, customer, s, &error));
	g_assert_no_error(error);
	return s;
}

static void save_ok(Fixture *f, const BdmConvState *s, guint fields)
{
	GError *error = NULL;

	g_assert_true(f->store->backend->save(f->store, s, fields, &error));
	g_assert_no_error(error);
}

static gint64 rows(Fixture *f, const char *where)
{
	char *sql = g_strconcat("SELECT count(*) FROM state WHERE ", where, NULL);
	gint64 n = tlog_sql_int(f->path, sql);

	g_free(sql);
	return n;
}

static gboolean has_row(Fixture *f, const char *key, const char *value)
{
	char *where = value ? g_strdup_printf("key = '%s' AND value = '%s'", key, value)
	                    : g_strdup_printf("key = '%s'", key);
	gint64 n = rows(f, where);

	g_free(where);
	return n == 1;
}

/* The whole state table in key order, as this connection sees it. */
static char *dump(Fixture *f)
{
	GError *error = NULL;
	GHashTable *all = bdm_log_state_get_prefix(f->log, "", &error);
	GList *keys, *k;
	GString *s = g_string_new(NULL);

	g_assert_no_error(error);
	keys = g_list_sort(g_hash_table_get_keys(all), (GCompareFunc)strcmp);
	for (k = keys; k != NULL; k = k->next)
		g_string_append_printf(s, "%s=%s\n", (char *)k->data,
		                       (char *)g_hash_table_lookup(all, k->data));
	g_list_free(keys);
	g_hash_table_destroy(all);
	return g_string_free(s, FALSE);
}

static void refuse_inserts(Fixture *f, const char *when)
{
	char *sql = g_strdup_printf("CREATE TRIGGER refuse BEFORE INSERT ON state WHEN %s"
	                            " BEGIN SELECT RAISE(ABORT, 'refused by test'); END", when);

	tlog_sql(f->path, sql);
	g_free(sql);
}

/* Every field set to something other than its default. */
static BdmConvState *full_state(const char *customer)
{
	BdmConvState *s = bdm_conv_state_new(P, A, customer);

	s->assigned = g_strdup("alice");
	s->status = BDM_CONV_RESOLVED;
	bdm_conv_state_set_tag(s, "vip", TRUE);
	bdm_conv_state_set_tag(s, "billing", TRUE);
	s->department = g_strdup("billing");
	s->reason = g_strdup("refund \"asked\"");
	s->trigger = g_strdup("refund");
	s->escalated_at = 1700000000;
	s->ticket = g_strdup("FACEBOOK-9");
	s->language = g_strdup("de");
	s->customer_name = g_strdup("Jana Müller");
	s->sla.waiting_since = 1700000100;
	s->sla.urgent = TRUE;
	s->alerted.level = BDM_SLA_WARN;
	s->alerted.waiting_since = 1700000100;
	s->auto_replied = TRUE;
	return s;
}

static void assert_same(const BdmConvState *a, const BdmConvState *b)
{
	guint i;

	g_assert_cmpstr(a->platform, ==, b->platform);
	g_assert_cmpstr(a->account, ==, b->account);
	g_assert_cmpstr(a->customer, ==, b->customer);
	g_assert_cmpstr(a->assigned, ==, b->assigned);
	g_assert_cmpint(a->status, ==, b->status);
	g_assert_cmpuint(a->tags->len, ==, b->tags->len);
	for (i = 0; i < a->tags->len; i++)
		g_assert_cmpstr(g_ptr_array_index(a->tags, i), ==, g_ptr_array_index(b->tags, i));
	g_assert_cmpstr(a->department, ==, b->department);
	g_assert_cmpstr(a->reason, ==, b->reason);
	g_assert_cmpstr(a->trigger, ==, b->trigger);
	g_assert_cmpint(a->escalated_at, ==, b->escalated_at);
	g_assert_cmpstr(a->ticket, ==, b->ticket);
	g_assert_cmpstr(a->language, ==, b->language);
	g_assert_cmpstr(a->customer_name, ==, b->customer_name);
	g_assert_cmpint(a->sla.waiting_since, ==, b->sla.waiting_since);
	g_assert_cmpint(a->sla.urgent, ==, b->sla.urgent);
	g_assert_cmpint(a->alerted.level, ==, b->alerted.level);
	g_assert_cmpint(a->alerted.waiting_since, ==, b->alerted.waiting_since);
	g_assert_cmpint(a->auto_replied, ==, b->auto_replied);
}

static void assert_empty(const BdmConvState *s)
{
	BdmConvState *empty = bdm_conv_state_new(s->platform, s->account, s->customer);

	assert_same(s, empty);
	bdm_conv_state_free(empty);
}

/* A list frees nothing itself: each state is the caller's. */
static void list_free(GPtrArray *list)
{
	guint i;

	for (i = 0; i < list->len; i++)
		bdm_conv_state_free(g_ptr_array_index(list, i));
	g_ptr_array_unref(list);
}

static GPtrArray *list_ok(Fixture *f, const char *platform, BdmListFilter filter)
{
	GError *error = NULL;
	GPtrArray *list = f->store->backend->list(f->store, platform, A, filter, &error);

	g_assert_no_error(error);
	g_assert_nonnull(list);
	return list;
}

/* The customers of a list, joined by ' '. */
static char *customers(GPtrArray *list)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < list->len; i++)
		g_string_append_printf(s, "%s%s", i ? " " : "",
		                       ((BdmConvState *)g_ptr_array_index(list, i))->customer);
	list_free(list);
	return g_string_free(s, FALSE);
}

static void assert_list(Fixture *f, BdmListFilter filter, const char *expected)
{
	char *got = customers(list_ok(f, P, filter));

	g_assert_cmpstr(got, ==, expected);
	g_free(got);
}

/* ---- the state helpers --------------------------------------------------- */

static void test_state_helpers(void)
{
	BdmConvState *s = full_state("cust1");

	g_assert_true(bdm_conv_state_set_tag(s, "angry", TRUE));
	g_assert_false(bdm_conv_state_set_tag(s, "vip", TRUE));
	g_assert_true(bdm_conv_state_set_tag(s, "zz", TRUE));
	g_assert_cmpuint(s->tags->len, ==, 4);
	g_assert_cmpstr(g_ptr_array_index(s->tags, 0), ==, "angry");
	g_assert_cmpstr(g_ptr_array_index(s->tags, 1), ==, "billing");
	g_assert_cmpstr(g_ptr_array_index(s->tags, 2), ==, "vip");
	g_assert_cmpstr(g_ptr_array_index(s->tags, 3), ==, "zz");
	g_assert_true(bdm_conv_state_has_tag(s, "vip"));
	g_assert_true(bdm_conv_state_set_tag(s, "vip", FALSE));
	g_assert_false(bdm_conv_state_set_tag(s, "vip", FALSE));
	g_assert_false(bdm_conv_state_has_tag(s, "vip"));
	g_assert_false(bdm_conv_state_has_tag(s, "nope"));

	bdm_conv_state_reset(s);
	assert_empty(s);
	g_assert_cmpstr(s->customer, ==, "cust1");
	bdm_conv_state_free(s);
	bdm_conv_state_free(NULL);
	bdm_store_close(NULL);
}

/* ---- storage ------------------------------------------------------------- */

static void test_round_trip(Fixture *f, gconstpointer data)
{
	BdmConvState *saved = full_state("cust1"), *loaded, *other;

	(void)data;
	save_ok(f, saved, BDM_CONV_ALL);
	reopen(f);
	loaded = load(f, P, "cust1");
	assert_same(loaded, saved);

	/* Loading into a state of another conversation makes it that one. */
	other = load(f, P, "cust2");
	assert_empty(other);
	g_assert_true(f->store->backend->load(f->store, P, A, "cust1", other, NULL));
	assert_same(other, saved);
	g_assert_true(f->store->backend->load(f->store, P, A, "cust2", other, NULL));
	assert_empty(other);
	g_assert_cmpstr(other->customer, ==, "cust2");
	/* And into itself, with its own strings as arguments. */
	g_assert_true(f->store->backend->load(f->store, loaded->platform, loaded->account,
	                                      loaded->customer, loaded, NULL));
	assert_same(loaded, saved);

	/* Saving the empty state removes every row of the conversation. */
	bdm_conv_state_reset(saved);
	save_ok(f, saved, BDM_CONV_ALL);
	g_assert_cmpint(rows(f, "key LIKE 'conv/%'"), ==, 0);
	assert_list(f, BDM_LIST_ALL, "");

	bdm_conv_state_free(other);
	bdm_conv_state_free(loaded);
	bdm_conv_state_free(saved);
}

/* The keys and values earlier versions wrote: user data in both directions. */
static void test_layout(Fixture *f, gconstpointer data)
{
	BdmConvState *s = full_state("cust1");

	(void)data;
	save_ok(f, s, BDM_CONV_ALL);
	g_assert_true(has_row(f, KEY("cust1", "escalation"),
	                      "{\"department\":\"billing\",\"reason\":\"refund \\\"asked\\\"\","
	                      "\"trigger\":\"refund\",\"time\":1700000000}"));
	g_assert_true(has_row(f, KEY("cust1", "sla"), "1700000100 1 2 1700000100"));
	g_assert_true(has_row(f, KEY("cust1", "ticket"), "FACEBOOK-9"));
	g_assert_true(has_row(f, KEY("cust1", "lang"), "de"));
	g_assert_true(has_row(f, KEY("cust1", "name"), "Jana Müller"));
	g_assert_true(has_row(f, KEY("cust1", "assigned"), "alice"));
	g_assert_true(has_row(f, KEY("cust1", "status"), "resolved"));
	g_assert_true(has_row(f, KEY("cust1", "auto_reply"), NULL));
	g_assert_true(has_row(f, KEY("cust1", "tag/billing"), NULL));
	g_assert_true(has_row(f, KEY("cust1", "tag/vip"), NULL));
	g_assert_cmpint(rows(f, "key LIKE 'conv/%'"), ==, 10);
	/* Tag rows hold the time of the tagging. */
	g_assert_cmpint(rows(f, "key LIKE '%/tag/%' AND CAST(value AS INTEGER) > 1600000000"),
	                ==, 2);

	g_free(s->trigger);
	s->trigger = NULL;
	g_free(s->reason);
	s->reason = NULL;
	s->sla.urgent = FALSE;
	save_ok(f, s, BDM_CONV_ESCALATION | BDM_CONV_SLA);
	g_assert_true(has_row(f, KEY("cust1", "escalation"),
	                      "{\"department\":\"billing\",\"reason\":null,\"trigger\":null,"
	                      "\"time\":1700000000}"));
	g_assert_true(has_row(f, KEY("cust1", "sla"), "1700000100 0 2 1700000100"));
	bdm_conv_state_free(s);
}

static void test_existing_data(Fixture *f, gconstpointer data)
{
	BdmConvState *s;

	(void)data;
	/* As the desk wrote them before the store existed. */
	tlog_sql(f->path,
	         "INSERT INTO state(key, value, updated) VALUES"
	         " ('" KEY("old1", "tag/vip") "', '1690000000', 1),"
	         " ('" KEY("old1", "escalation") "',"
	         "  '{\"department\":\"legal\",\"reason\":\"lawyer\",\"trigger\":null,"
	         "    \"time\":1690000001}', 1),"
	         " ('" KEY("old1", "sla") "', '1690000002 0 3 1690000002', 1),"
	         " ('" KEY("old1", "ticket") "', 'FACEBOOK-41', 1),"
	         " ('" KEY("old1", "lang") "', 'es', 1),"
	         " ('" KEY("old1", "name") "', 'Old Customer', 1),"
	         " ('" KEY("old1", "auto_reply") "', '1690000003', 1),"
	         " ('" KEY("old1", "future_field") "', 'from a newer version', 1),"
	         " ('ticket_seq/" P "', '41', 1)");
	s = load(f, P, "old1");
	g_assert_cmpuint(s->tags->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(s->tags, 0), ==, "vip");
	g_assert_cmpstr(s->department, ==, "legal");
	g_assert_cmpstr(s->reason, ==, "lawyer");
	g_assert_null(s->trigger);
	g_assert_cmpint(s->escalated_at, ==, 1690000001);
	g_assert_cmpint(s->sla.waiting_since, ==, 1690000002);
	g_assert_false(s->sla.urgent);
	g_assert_cmpint(s->alerted.level, ==, BDM_SLA_BREACH);
	g_assert_cmpstr(s->ticket, ==, "FACEBOOK-41");
	g_assert_cmpstr(s->language, ==, "es");
	g_assert_cmpstr(s->customer_name, ==, "Old Customer");
	g_assert_true(s->auto_replied);
	g_assert_null(s->assigned);
	g_assert_cmpint(s->status, ==, BDM_CONV_OPEN);
	bdm_conv_state_free(s);

	/* The old counter goes on; the old claim is a claim. */
	s = load(f, P, "new1");
	g_assert_true(f->store->backend->assign_ticket(f->store, s, NULL));
	g_assert_cmpstr(s->ticket, ==, "FACEBOOK-42");
	g_assert_cmpint(f->store->backend->claim(f->store, s, "auto_reply", 5, NULL), ==,
	                BDM_CLAIM_WON);
	bdm_conv_state_free(s);
	s = load(f, P, "old1");
	g_assert_cmpint(f->store->backend->claim(f->store, s, "auto_reply", 5, NULL), ==,
	                BDM_CLAIM_LOST);
	/* A save keeps what it does not know about. */
	save_ok(f, s, BDM_CONV_ALL);
	g_assert_true(has_row(f, KEY("old1", "future_field"), "from a newer version"));
	g_assert_true(has_row(f, KEY("old1", "tag/vip"), "1690000000"));
	g_assert_true(has_row(f, KEY("old1", "auto_reply"), "1690000003"));
	bdm_conv_state_free(s);
}

static void test_one_field(Fixture *f, gconstpointer data)
{
	BdmConvState *saved = full_state("cust1"), *changed = full_state("cust1"), *loaded;

	(void)data;
	save_ok(f, saved, BDM_CONV_ALL);
	bdm_conv_state_reset(changed);
	changed->language = g_strdup("fr");
	save_ok(f, changed, BDM_CONV_LANGUAGE);
	reopen(f);
	loaded = load(f, P, "cust1");
	g_free(saved->language);
	saved->language = g_strdup("fr");
	assert_same(loaded, saved);

	/* Removing one field leaves the rest. */
	save_ok(f, changed, BDM_CONV_ESCALATION | BDM_CONV_AUTO_REPLY | BDM_CONV_STATUS);
	g_assert_false(has_row(f, KEY("cust1", "escalation"), NULL));
	g_assert_false(has_row(f, KEY("cust1", "auto_reply"), NULL));
	g_assert_false(has_row(f, KEY("cust1", "status"), NULL));
	g_assert_cmpint(rows(f, "key LIKE 'conv/%'"), ==, 7);
	bdm_conv_state_free(loaded);
	bdm_conv_state_free(changed);
	bdm_conv_state_free(saved);
}

static void test_tags(Fixture *f, gconstpointer data)
{
	BdmConvState *s = bdm_conv_state_new(P, A, "cust1"), *loaded;

	(void)data;
	bdm_conv_state_set_tag(s, "vip", TRUE);
	bdm_conv_state_set_tag(s, "billing", TRUE);
	save_ok(f, s, BDM_CONV_TAGS);
	tlog_sql(f->path,
	         "UPDATE state SET value = '5' WHERE key = '" KEY("cust1", "tag/billing") "'");
	bdm_conv_state_set_tag(s, "vip", FALSE);
	bdm_conv_state_set_tag(s, "angry", TRUE);
	save_ok(f, s, BDM_CONV_TAGS);
	g_assert_cmpint(rows(f, "key LIKE '%/tag/%'"), ==, 2);
	g_assert_true(has_row(f, KEY("cust1", "tag/angry"), NULL));
	/* A tag that stays keeps the time it was given. */
	g_assert_true(has_row(f, KEY("cust1", "tag/billing"), "5"));
	loaded = load(f, P, "cust1");
	assert_same(loaded, s);
	bdm_conv_state_free(loaded);

	/* Saving other fields does not touch the tags. */
	bdm_conv_state_set_tag(s, "zz", TRUE);
	save_ok(f, s, BDM_CONV_ALL & ~BDM_CONV_TAGS);
	g_assert_cmpint(rows(f, "key LIKE '%/tag/%'"), ==, 2);
	bdm_conv_state_free(s);
}

static void put(Fixture *f, const char *platform, const char *account, const char *customer,
                const char *department, gint64 waiting_since, const char *name)
{
	BdmConvState *s = bdm_conv_state_new(platform, account, customer);

	s->department = g_strdup(department);
	s->sla.waiting_since = waiting_since;
	s->customer_name = g_strdup(name);
	save_ok(f, s, BDM_CONV_ALL);
	bdm_conv_state_free(s);
}

static void test_list(Fixture *f, gconstpointer data)
{
	BdmConvState *s;
	GPtrArray *list;

	(void)data;
	put(f, P, A, "e1", "billing", 0, NULL);
	put(f, P, A, "w1", NULL, 100, NULL);
	put(f, P, A, "ew", "legal", 200, "Both");
	put(f, P, A, "n1", NULL, 0, "Only a name");
	put(f, P, "page2", "x1", "billing", 100, NULL);
	put(f, "instagram", A, "i1", "billing", 100, NULL);
	s = bdm_conv_state_new(P, A, "c1");
	g_assert_cmpint(f->store->backend->claim(f->store, s, "welcome", 1, NULL), ==,
	                BDM_CLAIM_WON);
	bdm_conv_state_free(s);

	/* A claim is state too: the conversation is listed. */
	assert_list(f, BDM_LIST_ALL, "c1 e1 ew n1 w1");
	assert_list(f, BDM_LIST_WAITING, "ew w1");
	assert_list(f, BDM_LIST_ESCALATED, "e1 ew");
	list = list_ok(f, P, BDM_LIST_ESCALATED);
	s = g_ptr_array_index(list, 1);
	g_assert_cmpstr(s->department, ==, "legal");
	g_assert_cmpint(s->sla.waiting_since, ==, 200);
	g_assert_cmpstr(s->customer_name, ==, "Both");
	g_assert_cmpstr(s->platform, ==, P);
	g_assert_cmpstr(s->account, ==, A);
	list_free(list);
}

/* Customer ids with '/' (and ids that look like field names) stay apart. */
static void test_odd_customer_ids(Fixture *f, gconstpointer data)
{
	static const char *const ids[] = { "c", "c/x", "a/tag/b", "a/claim/b", "tag", "claim" };
	BdmConvState *s;
	char *got;
	gsize i;

	(void)data;
	for (i = 0; i < G_N_ELEMENTS(ids); i++) {
		s = bdm_conv_state_new(P, A, ids[i]);
		s->customer_name = g_strdup(ids[i]);
		s->sla.waiting_since = 1000 + i;
		bdm_conv_state_set_tag(s, "vip", TRUE);
		save_ok(f, s, BDM_CONV_ALL);
		g_assert_cmpint(f->store->backend->claim(f->store, s, "welcome", 1, NULL), ==,
		                BDM_CLAIM_WON);
		bdm_conv_state_free(s);
	}
	for (i = 0; i < G_N_ELEMENTS(ids); i++) {
		s = load(f, P, ids[i]);
		g_assert_cmpstr(s->customer_name, ==, ids[i]);
		g_assert_cmpint(s->sla.waiting_since, ==, 1000 + i);
		g_assert_cmpuint(s->tags->len, ==, 1);
		g_assert_true(bdm_conv_state_has_tag(s, "vip"));
		/* Its tags alone: "c" must not take the rows of "c/x". */
		bdm_conv_state_set_tag(s, "vip", FALSE);
		save_ok(f, s, BDM_CONV_TAGS);
		bdm_conv_state_free(s);
		g_assert_cmpint(rows(f, "key LIKE '%/tag/vip'"), ==, G_N_ELEMENTS(ids) - 1 - i);
	}
	got = customers(list_ok(f, P, BDM_LIST_WAITING));
	g_assert_cmpstr(got, ==, "a/claim/b a/tag/b c c/x claim tag");
	g_free(got);
}

static char *ticket_for(Fixture *f, const char *platform, const char *customer)
{
	BdmConvState *s = load(f, platform, customer);
	GError *error = NULL;
	char *ticket;

	g_assert_true(f->store->backend->assign_ticket(f->store, s, &error));
	g_assert_no_error(error);
	ticket = g_strdup(s->ticket);
	bdm_conv_state_free(s);
	return ticket;
}

#define assert_ticket(f, platform, customer, expected) \
	do { \
		char *t_ = ticket_for(f, platform, customer); \
		g_assert_cmpstr(t_, ==, expected); \
		g_free(t_); \
	} while (0)

static void test_tickets(Fixture *f, gconstpointer data)
{
	BdmConvState *s;

	(void)data;
	assert_ticket(f, P, "c1", "FACEBOOK-1");
	assert_ticket(f, P, "c2", "FACEBOOK-2");
	assert_ticket(f, "instagram", "c1", "INSTAGRAM-1");
	assert_ticket(f, P, "c3", "FACEBOOK-3");
	/* A conversation keeps its ticket, also when the state in hand has none. */
	assert_ticket(f, P, "c2", "FACEBOOK-2");
	s = bdm_conv_state_new(P, A, "c1");
	g_assert_true(f->store->backend->assign_ticket(f->store, s, NULL));
	g_assert_cmpstr(s->ticket, ==, "FACEBOOK-1");
	/* Removed and given again: a new number, never an old one. */
	g_clear_pointer(&s->ticket, g_free);
	save_ok(f, s, BDM_CONV_TICKET);
	g_assert_false(has_row(f, KEY("c1", "ticket"), NULL));
	reopen(f);
	g_assert_true(f->store->backend->assign_ticket(f->store, s, NULL));
	g_assert_cmpstr(s->ticket, ==, "FACEBOOK-4");
	g_assert_true(has_row(f, KEY("c1", "ticket"), "FACEBOOK-4"));
	g_assert_true(has_row(f, "ticket_seq/" P, "4"));
	g_assert_true(has_row(f, "ticket_seq/instagram", "1"));
	bdm_conv_state_free(s);

	/* A counter that cannot be read is an error, not a restart at 1. */
	tlog_sql(f->path, "UPDATE state SET value = 'x' WHERE key = 'ticket_seq/" P "'");
	s = bdm_conv_state_new(P, A, "c9");
	{
		GError *error = NULL;

		g_assert_false(f->store->backend->assign_ticket(f->store, s, &error));
		g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
		g_clear_error(&error);
	}
	g_assert_null(s->ticket);
	g_assert_false(has_row(f, KEY("c9", "ticket"), NULL));
	bdm_conv_state_free(s);
}

static BdmClaimResult claim(BdmStore *store, const BdmConvState *s, const char *action)
{
	GError *error = NULL;
	BdmClaimResult r = store->backend->claim(store, s, action, 1700000000, &error);

	g_assert_no_error(error);
	return r;
}

static void test_claims(Fixture *f, gconstpointer data)
{
	BdmConvState *s = bdm_conv_state_new(P, A, "cust1"), *loaded;
	BdmLog *other_log;
	BdmStore *other;
	GError *error = NULL;

	(void)data;
	g_assert_cmpint(claim(f->store, s, "welcome"), ==, BDM_CLAIM_WON);
	g_assert_cmpint(claim(f->store, s, "welcome"), ==, BDM_CLAIM_LOST);
	g_assert_true(has_row(f, KEY("cust1", "claim/welcome"), "1700000000"));
	g_assert_cmpint(claim(f->store, s, "survey"), ==, BDM_CLAIM_WON);
	/* Another process on the same file, and a restart, see the claim. */
	other_log = bdm_log_open(f->path, "bob", &error);
	g_assert_no_error(error);
	other = bdm_store_local_new(other_log);
	g_assert_cmpint(claim(other, s, "welcome"), ==, BDM_CLAIM_LOST);
	reopen(f);
	g_assert_cmpint(claim(f->store, s, "welcome"), ==, BDM_CLAIM_LOST);
	g_assert_true(f->store->backend->release(f->store, s, "welcome", &error));
	g_assert_no_error(error);
	g_assert_true(f->store->backend->release(f->store, s, "welcome", &error));
	g_assert_cmpint(claim(other, s, "welcome"), ==, BDM_CLAIM_WON);
	g_assert_cmpint(claim(f->store, s, "welcome"), ==, BDM_CLAIM_LOST);
	g_assert_cmpint(claim(f->store, s, "survey"), ==, BDM_CLAIM_LOST);
	bdm_store_close(other);
	bdm_log_close(other_log);

	/* The "auto_reply" claim is the auto_replied field. */
	g_assert_cmpint(claim(f->store, s, "auto_reply"), ==, BDM_CLAIM_WON);
	g_assert_true(has_row(f, KEY("cust1", "auto_reply"), "1700000000"));
	loaded = load(f, P, "cust1");
	g_assert_true(loaded->auto_replied);
	/* Saving it TRUE keeps the claim's time; FALSE releases it. */
	save_ok(f, loaded, BDM_CONV_AUTO_REPLY);
	g_assert_true(has_row(f, KEY("cust1", "auto_reply"), "1700000000"));
	loaded->auto_replied = FALSE;
	save_ok(f, loaded, BDM_CONV_AUTO_REPLY);
	g_assert_cmpint(claim(f->store, s, "auto_reply"), ==, BDM_CLAIM_WON);
	g_assert_true(f->store->backend->release(f->store, s, "auto_reply", NULL));
	g_assert_false(has_row(f, KEY("cust1", "auto_reply"), NULL));
	bdm_conv_state_free(loaded);
	bdm_conv_state_free(s);
}

/* ---- failures ------------------------------------------------------------ */

static void test_failed_save(Fixture *f, gconstpointer data)
{
	BdmConvState *saved = full_state("cust1"), *changed = full_state("cust1"), *loaded;
	GError *error = NULL;
	char *before, *after;

	(void)data;
	saved->status = BDM_CONV_OPEN;
	save_ok(f, saved, BDM_CONV_ALL);
	before = dump(f);
	/* Everything changes; the status, written last, is refused. */
	bdm_conv_state_reset(changed);
	changed->department = g_strdup("legal");
	changed->ticket = g_strdup("FACEBOOK-10");
	changed->language = g_strdup("fr");
	changed->sla.waiting_since = 5;
	bdm_conv_state_set_tag(changed, "angry", TRUE);
	changed->assigned = g_strdup("bob");
	changed->status = BDM_CONV_RESOLVED;
	refuse_inserts(f, "NEW.key LIKE '%/status'");
	g_assert_false(f->store->backend->save(f->store, changed, BDM_CONV_ALL, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_DB);
	g_assert_nonnull(strstr(error->message, "refused by test"));
	g_clear_error(&error);
	g_assert_false(bdm_log_in_batch(f->log));
	after = dump(f);
	g_assert_cmpstr(after, ==, before);
	g_free(after);
	loaded = load(f, P, "cust1");
	assert_same(loaded, saved);

	/* The log works on: a save without the refused field goes in. */
	save_ok(f, changed, BDM_CONV_ALL & ~BDM_CONV_STATUS);
	g_assert_true(has_row(f, KEY("cust1", "lang"), "fr"));
	bdm_conv_state_free(loaded);
	bdm_conv_state_free(changed);
	bdm_conv_state_free(saved);
	g_free(before);
}

static void test_failed_claim(Fixture *f, gconstpointer data)
{
	BdmConvState *s = bdm_conv_state_new(P, A, "cust1");
	GError *error = NULL;

	(void)data;
	assert_ticket(f, P, "c0", "FACEBOOK-1");
	refuse_inserts(f, "NEW.key LIKE 'conv/%'");
	g_assert_cmpint(f->store->backend->claim(f->store, s, "welcome", 1, &error), ==,
	                BDM_CLAIM_ERROR);
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_DB);
	g_clear_error(&error);
	g_assert_false(bdm_log_in_batch(f->log));
	/* The counter's update went in, the ticket's insert did not: neither stays. */
	g_assert_false(f->store->backend->assign_ticket(f->store, s, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_DB);
	g_clear_error(&error);
	g_assert_null(s->ticket);
	g_assert_true(has_row(f, "ticket_seq/" P, "1"));
	g_assert_cmpint(rows(f, "key LIKE 'conv/%/cust1/%'"), ==, 0);

	tlog_sql(f->path, "DROP TRIGGER refuse");
	g_assert_cmpint(claim(f->store, s, "welcome"), ==, BDM_CLAIM_WON);
	g_assert_true(f->store->backend->assign_ticket(f->store, s, NULL));
	g_assert_cmpstr(s->ticket, ==, "FACEBOOK-2");
	bdm_conv_state_free(s);
}

static void test_read_only(Fixture *f, gconstpointer data)
{
	BdmConvState *s = full_state("cust1"), *loaded;
	BdmLog *ro;
	BdmStore *store;
	GError *error = NULL;

	(void)data;
	save_ok(f, s, BDM_CONV_ALL);
	ro = bdm_log_open_full(f->path, NULL, BDM_LOG_OPEN_READONLY, &error);
	g_assert_no_error(error);
	store = bdm_store_local_new(ro);
	loaded = bdm_conv_state_new(P, A, "cust1");
	g_assert_true(store->backend->load(store, P, A, "cust1", loaded, &error));
	assert_same(loaded, s);
	g_assert_false(store->backend->save(store, s, BDM_CONV_LANGUAGE, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_cmpint(store->backend->claim(store, s, "welcome", 1, &error), ==, BDM_CLAIM_ERROR);
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(store->backend->release(store, s, "auto_reply", &error));
	g_clear_error(&error);
	bdm_store_close(store);
	bdm_log_close(ro);
	bdm_conv_state_free(loaded);
	bdm_conv_state_free(s);
}

static void test_no_log(void)
{
	BdmStore *store = bdm_store_local_new(NULL);
	BdmConvState *s = full_state("cust1");
	GError *error = NULL;

	g_assert_false(store->backend->load(store, P, A, "cust1", s, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN);
	g_clear_error(&error);
	g_assert_null(store->backend->list(store, P, A, BDM_LIST_ALL, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN);
	g_clear_error(&error);
	g_assert_false(store->backend->save(store, s, BDM_CONV_ALL, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN);
	g_clear_error(&error);
	g_clear_pointer(&s->ticket, g_free);
	g_assert_false(store->backend->assign_ticket(store, s, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN);
	g_clear_error(&error);
	g_assert_cmpint(store->backend->claim(store, s, "auto_reply", 1, &error), ==,
	                BDM_CLAIM_ERROR);
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN);
	g_clear_error(&error);
	g_assert_false(store->backend->release(store, s, "auto_reply", &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN);
	g_clear_error(&error);
	bdm_conv_state_free(s);
	bdm_store_close(store);
}

static void test_unreadable(Fixture *f, gconstpointer data)
{
	static const char *const bad_escalations[] = {
		"{not json", "[1]", "{\"department\":[1]}", "{\"reason\":\"no department\"}", "",
	};
	BdmConvState *s;
	gsize i;

	(void)data;
	for (i = 0; i < G_N_ELEMENTS(bad_escalations); i++) {
		char *sql = g_strdup_printf("INSERT INTO state(key, value, updated) VALUES"
		                            " ('" KEY("c%u", "escalation") "', '%s', 1),"
		                            " ('" KEY("c%u", "lang") "', 'de', 1)",
		                            (guint)i, bad_escalations[i], (guint)i);

		tlog_sql(f->path, sql);
		g_free(sql);
	}
	tlog_sql(f->path, "INSERT INTO state(key, value, updated) VALUES"
	                  " ('" KEY("s1", "sla") "', 'garbage', 1),"
	                  " ('" KEY("s2", "sla") "', '-5 0 1 0', 1),"
	                  " ('" KEY("s3", "sla") "', '5 0 9 0', 1),"
	                  " ('" KEY("s3", "status") "', 'something new', 1),"
	                  " ('" KEY("s3", "tag/") "', '1', 1),"
	                  " ('" KEY("s4", "escalation") "',"
	                  "  '{\"department\":\"legal\",\"time\":\"x\"}', 1)");
	for (i = 0; i < G_N_ELEMENTS(bad_escalations); i++) {
		char *customer = g_strdup_printf("c%u", (guint)i);

		s = load(f, P, customer);
		g_assert_null(s->department);
		g_assert_cmpstr(s->language, ==, "de");
		bdm_conv_state_free(s);
		g_free(customer);
	}
	s = load(f, P, "s3");
	assert_empty(s);
	bdm_conv_state_free(s);
	s = load(f, P, "s4");
	g_assert_cmpstr(s->department, ==, "legal");
	g_assert_cmpint(s->escalated_at, ==, 0);
	bdm_conv_state_free(s);
	assert_list(f, BDM_LIST_WAITING, "");
	assert_list(f, BDM_LIST_ESCALATED, "s4");
	assert_list(f, BDM_LIST_ALL, "c0 c1 c2 c3 c4 s1 s2 s3 s4");
}

/* Inside a batch the caller opened, a save joins it. */
static void test_caller_batch(Fixture *f, gconstpointer data)
{
	BdmConvState *s = full_state("cust1");
	GError *error = NULL;

	(void)data;
	g_assert_true(bdm_log_batch_begin(f->log, &error));
	save_ok(f, s, BDM_CONV_ALL);
	g_assert_true(bdm_log_in_batch(f->log));
	g_assert_cmpint(rows(f, "1"), ==, 0);
	g_assert_true(bdm_log_batch_commit(f->log, &error));
	g_assert_no_error(error);
	g_assert_cmpint(rows(f, "key LIKE 'conv/%'"), ==, 10);

	g_assert_true(bdm_log_batch_begin(f->log, &error));
	bdm_conv_state_reset(s);
	save_ok(f, s, BDM_CONV_ALL);
	g_assert_true(f->store->backend->assign_ticket(f->store, s, &error));
	g_assert_cmpint(f->store->backend->claim(f->store, s, "x", 1, &error), ==, BDM_CLAIM_WON);
	bdm_log_batch_abort(f->log);
	g_assert_cmpint(rows(f, "key LIKE 'conv/%'"), ==, 10);
	g_assert_cmpint(rows(f, "key LIKE 'ticket_seq/%'"), ==, 0);
	bdm_conv_state_free(s);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/store-local/state-helpers", test_state_helpers);
	g_test_add_func("/store-local/no-log", test_no_log);
#define ADD(name, fn) g_test_add(name, Fixture, NULL, setup, fn, teardown)
	ADD("/store-local/round-trip", test_round_trip);
	ADD("/store-local/layout", test_layout);
	ADD("/store-local/existing-data", test_existing_data);
	ADD("/store-local/one-field", test_one_field);
	ADD("/store-local/tags", test_tags);
	ADD("/store-local/list", test_list);
	ADD("/store-local/odd-customer-ids", test_odd_customer_ids);
	ADD("/store-local/tickets", test_tickets);
	ADD("/store-local/claims", test_claims);
	ADD("/store-local/failed-save", test_failed_save);
	ADD("/store-local/failed-claim", test_failed_claim);
	ADD("/store-local/read-only", test_read_only);
	ADD("/store-local/unreadable", test_unreadable);
	ADD("/store-local/caller-batch", test_caller_batch);
#undef ADD
	return g_test_run();
}
