/*
 * bench_log: the cost of logging a message, and a log to export.
 *
 *   bench_log append --dir DIR [--records N] [--batch B]
 *       Writes N records (texts from the policy benchmark's corpus) into
 *       fresh databases in DIR, each record to every writer in turn:
 *         log           bdm_log_message(), one commit per record (a reply,
 *                       a lone message)
 *         log_batched   group commit: B records per bdm_log_batch_begin
 *                       ... bdm_log_batch_commit (a poll that brings B)
 *         log_turn      all the poller writes for such a poll: the batch
 *                       with its display marker, then the marker moved on
 *                       once per customer message shown
 *         bare          the baseline: a bare prepared INSERT into a table of
 *                       the same columns and SQLite settings (WAL,
 *                       synchronous=NORMAL, secure_delete), each row its own
 *                       transaction, as a bare INSERT loop is
 *         bare_batched  the same INSERT, B rows per transaction
 *         bare_indexed, bare_chained
 *                       steps between bare and log (one row per transaction)
 *                       that show where the log's time goes
 *       Prints JSON with per-record latencies: for a batched writer a
 *       record's latency is its whole batch, begin to commit (the time it
 *       waits before it can be shown).
 *   bench_log generate --db PATH --records N
 *       A log of N records made through the log API, in batches of 100 as
 *       a backlog would be (for the export benchmark), written to PATH.tmp
 *       and renamed when complete.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "bench_util.h"
#include "corpus.h"
#include "log.h"

#define SEED 20260321
#define CUSTOMERS 500
#define START_TIME 1767225600   /* 2026-01-01 */
/* A poll's worth: one new message a second, polled every 10 s (the
 * Messenger module's default interval). */
#define DEFAULT_BATCH 10
/* The poller shows a backlog 100 messages per main-loop turn. */
#define GENERATE_BATCH 100

/* The columns the log stores for a message, without its chain. */
static const char bare_schema[] =
	"PRAGMA secure_delete = ON;"
	"PRAGMA journal_mode = WAL;"
	"PRAGMA synchronous = NORMAL;"
	"CREATE TABLE IF NOT EXISTS record ("
	" id INTEGER PRIMARY KEY, kind TEXT NOT NULL, platform TEXT, account TEXT,"
	" conversation_id TEXT, customer_id TEXT, customer_name TEXT, direction INTEGER,"
	" text TEXT, platform_message_id TEXT, platform_time INTEGER NOT NULL DEFAULT 0,"
	" logged_time INTEGER NOT NULL, automated INTEGER NOT NULL DEFAULT 0,"
	" template_name TEXT, agent TEXT NOT NULL)";

/* What the log adds on top, in steps, to show where its time goes: the
 * indexes it keeps for the desk's queries and export, then the table of
 * delivered ids and the chain head it reads and moves in every transaction. */
static const char indexes_schema[] =
	"CREATE INDEX IF NOT EXISTS record_inbound ON record(platform, account, customer_id)"
	" WHERE direction = 0 AND kind = 'message';"
	"CREATE INDEX IF NOT EXISTS record_time ON record(logged_time)";

static const char chain_schema[] =
	"CREATE TABLE IF NOT EXISTS seen (key BLOB PRIMARY KEY) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS chain (one INTEGER PRIMARY KEY, head_id INTEGER NOT NULL,"
	" head_hash BLOB NOT NULL);"
	"INSERT OR IGNORE INTO chain VALUES (1, 0, zeroblob(32))";

static const char bare_insert[] =
	"INSERT INTO record(kind, platform, account, conversation_id, customer_id,"
	" customer_name, direction, text, platform_message_id, platform_time, logged_time,"
	" automated, template_name, agent) VALUES ('message', ?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	" ?8, ?9, ?10, 0, NULL, 'bench')";

/** One record's worth of fields, the same for both writers. */
typedef struct {
	char id[32], customer[32], conversation[32], name[48];
	char *text;
	gint64 time;
	BdmDirection direction;
} Record;

static void record_make(Record *r, BenchRng *rng, guint64 i)
{
	guint customer = (guint)(i % CUSTOMERS);

	g_snprintf(r->id, sizeof r->id, "m_%" G_GUINT64_FORMAT, i);
	g_snprintf(r->customer, sizeof r->customer, "%u", 5000 + customer);
	g_snprintf(r->conversation, sizeof r->conversation, "t_%u", customer);
	g_snprintf(r->name, sizeof r->name, "Customer %u", customer);
	r->text = bench_corpus_message(rng, bench_corpus_length(rng));
	r->time = START_TIME + (gint64)i;
	r->direction = i % 3 == 2 ? BDM_DIR_OUT : BDM_DIR_IN;
}

static gboolean log_record(BdmLog *log, const Record *r, GError **error)
{
	BdmLogMessage m = { 0 };

	m.platform = "facebook";
	m.account = "1000";
	m.conversation_id = r->conversation;
	m.customer_id = r->customer;
	m.customer_name = r->name;
	m.direction = r->direction;
	m.text = r->text;
	m.platform_message_id = r->id;
	m.platform_time = r->time;
	m.logged_time = r->time;
	return bdm_log_message(log, &m, NULL, error);
}

typedef enum {
	BARE_PLAIN,      /* the baseline: one INSERT per transaction */
	BARE_INDEXED,    /* and the log's two indexes */
	BARE_CHAINED     /* and the seen table and the chain head */
} BareLevel;

typedef struct {
	BareLevel level;
	guint batch;     /* rows per transaction */
	sqlite3 *db;
	sqlite3_stmt *insert, *seen, *head_get, *head_set;
} Bare;

static gboolean bare_fail(Bare *b, const char *what, GError **error)
{
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "bare SQLite: %s: %s", what,
	            b->db ? sqlite3_errmsg(b->db) : "out of memory");
	return FALSE;
}

static gboolean bare_open(Bare *b, const char *path, BareLevel level, guint batch,
                          GError **error)
{
	b->level = level;
	b->batch = batch;
	if (sqlite3_open(path, &b->db) != SQLITE_OK)
		return bare_fail(b, "open", error);
	if (sqlite3_exec(b->db, bare_schema, NULL, NULL, NULL) != SQLITE_OK ||
	    (level >= BARE_INDEXED &&
	     sqlite3_exec(b->db, indexes_schema, NULL, NULL, NULL) != SQLITE_OK) ||
	    (level >= BARE_CHAINED &&
	     sqlite3_exec(b->db, chain_schema, NULL, NULL, NULL) != SQLITE_OK))
		return bare_fail(b, "schema", error);
	if (sqlite3_prepare_v2(b->db, bare_insert, -1, &b->insert, NULL) != SQLITE_OK)
		return bare_fail(b, "prepare", error);
	if (level >= BARE_CHAINED &&
	    (sqlite3_prepare_v2(b->db, "INSERT OR IGNORE INTO seen(key) VALUES (?1)", -1,
	                        &b->seen, NULL) != SQLITE_OK ||
	     sqlite3_prepare_v2(b->db, "SELECT head_id, head_hash FROM chain WHERE one = 1", -1,
	                        &b->head_get, NULL) != SQLITE_OK ||
	     sqlite3_prepare_v2(b->db, "UPDATE chain SET head_id = ?1, head_hash = ?2"
	                        " WHERE one = 1", -1, &b->head_set, NULL) != SQLITE_OK))
		return bare_fail(b, "prepare", error);
	return TRUE;
}

static void bare_close(Bare *b)
{
	sqlite3_finalize(b->insert);
	sqlite3_finalize(b->seen);
	sqlite3_finalize(b->head_get);
	sqlite3_finalize(b->head_set);
	sqlite3_close(b->db);
}

/* The seen key and the chain head, with the same statements the log runs;
 * the hashes are stand-ins (one SHA-256 of the id), not the chain's. */
static gboolean bare_chain_step(Bare *b, const Record *r, GError **error)
{
	guint8 key[32];
	gsize key_len = sizeof key;
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	gint64 head = 0;

	g_checksum_update(sum, (const guchar *)r->id, -1);
	g_checksum_get_digest(sum, key, &key_len);
	g_checksum_free(sum);
	sqlite3_bind_blob(b->seen, 1, key, sizeof key, SQLITE_STATIC);
	if (sqlite3_step(b->seen) != SQLITE_DONE) {
		sqlite3_reset(b->seen);
		return bare_fail(b, "seen", error);
	}
	sqlite3_reset(b->seen);
	if (sqlite3_step(b->head_get) == SQLITE_ROW)
		head = sqlite3_column_int64(b->head_get, 0);
	sqlite3_reset(b->head_get);
	sqlite3_bind_int64(b->head_set, 1, head + 1);
	sqlite3_bind_blob(b->head_set, 2, key, sizeof key, SQLITE_STATIC);
	if (sqlite3_step(b->head_set) != SQLITE_DONE) {
		sqlite3_reset(b->head_set);
		return bare_fail(b, "head", error);
	}
	sqlite3_reset(b->head_set);
	return TRUE;
}

static gboolean bare_insert_row(Bare *b, const Record *r, GError **error)
{
	sqlite3_stmt *s = b->insert;
	int rc;

	if (b->level >= BARE_CHAINED && !bare_chain_step(b, r, error))
		return FALSE;
	sqlite3_bind_text(s, 1, "facebook", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, "1000", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->conversation, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->customer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, r->direction);
	sqlite3_bind_text(s, 7, r->text, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, r->time);
	sqlite3_bind_int64(s, 10, r->time);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE || bare_fail(b, "insert", error);
}

/* rows[0..n) in transactions of b->batch rows. */
static gboolean bare_write(Bare *b, const Record *rows, guint n, GError **error)
{
	for (guint i = 0; i < n; i += b->batch) {
		guint end = MIN(n, i + b->batch);

		if (sqlite3_exec(b->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			return bare_fail(b, "begin", error);
		for (guint j = i; j < end; j++) {
			if (!bare_insert_row(b, &rows[j], error)) {
				sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
				return FALSE;
			}
		}
		if (sqlite3_exec(b->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			return bare_fail(b, "commit", error);
	}
	return TRUE;
}

/* rows[0..n) through the log API, in batches of `batch` (1: no batch). */
static gboolean log_write(BdmLog *log, const Record *rows, guint n, guint batch,
                          GError **error)
{
	for (guint i = 0; i < n; i += batch) {
		guint end = MIN(n, i + batch);

		if (batch > 1 && !bdm_log_batch_begin(log, error))
			return FALSE;
		for (guint j = i; j < end; j++) {
			if (!log_record(log, &rows[j], error)) {
				bdm_log_batch_abort(log);
				return FALSE;
			}
		}
		if (batch > 1 && !bdm_log_batch_commit(log, error))
			return FALSE;
	}
	return TRUE;
}

/* The display marker as plugin/host/journal_display.c keeps it: the ids still to
 * be shown, one per line; none left deletes it. */
static gboolean marker_set(BdmLog *log, char **ids, GError **error)
{
	char *value = ids[0] ? g_strjoinv("\n", ids) : NULL;
	gboolean ok = bdm_log_state_set(log, "display/facebook/1000", value, error);

	g_free(value);
	return ok;
}

/* rows[0..n) as one delivery turn of the poller: the records and the
 * display marker of the customer messages in one batch, then the marker
 * moved on as each of them is shown (one state write each). */
static gboolean turn_write(BdmLog *log, const Record *rows, guint n, GError **error)
{
	char **ids = g_new0(char *, n + 1);
	guint shown = 0, customer = 0;
	gboolean ok;

	for (guint j = 0; j < n; j++)
		if (rows[j].direction == BDM_DIR_IN)
			ids[customer++] = (char *)rows[j].id;
	ok = bdm_log_batch_begin(log, error);
	for (guint j = 0; ok && j < n; j++)
		ok = log_record(log, &rows[j], error);
	ok = ok && marker_set(log, ids, error);
	if (!ok)
		bdm_log_batch_abort(log);
	ok = ok && bdm_log_batch_commit(log, error);
	while (ok && shown < customer)
		ok = marker_set(log, ids + ++shown, error);
	g_free(ids);
	return ok;
}

static const struct {
	const char *name;   /* in the JSON and the file name */
	BareLevel level;
	gboolean batched;   /* --batch rows per transaction, else one */
} bare_kinds[] = {
	{ "bare", BARE_PLAIN, FALSE },
	{ "bare_batched", BARE_PLAIN, TRUE },
	{ "bare_indexed", BARE_INDEXED, FALSE },
	{ "bare_chained", BARE_CHAINED, FALSE },
};

#define N_BARE G_N_ELEMENTS(bare_kinds)

/* Every writer gets one group of `batch` records in turn, so a change in
 * the machine's load hits all of them alike.  Latency is per call for the
 * one-per-commit writers, and the whole group for the batched ones. */
static gboolean run_append(const char *dir, guint records, guint batch, GError **error)
{
	enum { LOG_SINGLE, LOG_BATCHED, LOG_TURN, N_LOG };
	static const char *const log_names[N_LOG] = { "log", "log_batched", "log_turn" };
	BenchSamples log_samples[N_LOG], bare_samples[N_BARE];
	BdmLog *logs[N_LOG] = { NULL };
	Bare bare[N_BARE] = { { 0 } };
	Record *rows = g_new0(Record, batch);
	BenchRng rng;
	gboolean ok = FALSE;
	GString *json;

	for (guint k = 0; k < N_LOG; k++)
		bench_samples_init(&log_samples[k]);
	for (guint k = 0; k < N_BARE; k++)
		bench_samples_init(&bare_samples[k]);
	bench_rng_seed(&rng, SEED);
	for (guint k = 0; k < N_LOG; k++) {
		char *name = g_strconcat(log_names[k], ".sqlite", NULL);
		char *path = g_build_filename(dir, name, NULL);

		logs[k] = bdm_log_open(path, "bench", error);
		g_free(name);
		g_free(path);
		if (logs[k] == NULL)
			goto out;
	}
	for (guint k = 0; k < N_BARE; k++) {
		char *name = g_strconcat(bare_kinds[k].name, ".sqlite", NULL);
		char *path = g_build_filename(dir, name, NULL);
		gboolean opened = bare_open(&bare[k], path, bare_kinds[k].level,
		                            bare_kinds[k].batched ? batch : 1, error);

		g_free(name);
		g_free(path);
		if (!opened)
			goto out;
	}
	for (guint64 first = 0; first < records; first += batch) {
		guint n = (guint)MIN((guint64)batch, records - first);
		gsize bytes = 0;
		gboolean written = TRUE;
		gint64 start;

		for (guint j = 0; j < n; j++) {
			record_make(&rows[j], &rng, first + j);
			bytes += strlen(rows[j].text);
		}
		/* One record per commit: each call timed on its own. */
		for (guint j = 0; written && j < n; j++) {
			start = bench_now_ns();
			written = log_write(logs[LOG_SINGLE], &rows[j], 1, 1, error);
			bench_samples_add(&log_samples[LOG_SINGLE], bench_now_ns() - start,
			                  strlen(rows[j].text));
		}
		if (written) {
			start = bench_now_ns();
			written = log_write(logs[LOG_BATCHED], rows, n, batch, error);
			bench_samples_add_group(&log_samples[LOG_BATCHED], bench_now_ns() - start, n,
			                        bytes);
		}
		if (written) {
			start = bench_now_ns();
			written = turn_write(logs[LOG_TURN], rows, n, error);
			bench_samples_add_group(&log_samples[LOG_TURN], bench_now_ns() - start, n, bytes);
		}
		for (guint k = 0; written && k < N_BARE; k++) {
			if (bare[k].batch > 1) {
				start = bench_now_ns();
				written = bare_write(&bare[k], rows, n, error);
				bench_samples_add_group(&bare_samples[k], bench_now_ns() - start, n, bytes);
				continue;
			}
			for (guint j = 0; written && j < n; j++) {
				start = bench_now_ns();
				written = bare_write(&bare[k], &rows[j], 1, error);
				bench_samples_add(&bare_samples[k], bench_now_ns() - start,
				                  strlen(rows[j].text));
			}
		}
		for (guint j = 0; j < n; j++)
			g_clear_pointer(&rows[j].text, g_free);
		if (!written)
			goto out;
	}
	json = g_string_new("{");
	g_string_append_printf(json, "\"batch\": %u", batch);
	for (guint k = 0; k < N_LOG; k++) {
		g_string_append(json, ", ");
		bench_json_add_samples(json, log_names[k], &log_samples[k]);
	}
	for (guint k = 0; k < N_BARE; k++) {
		g_string_append(json, ", ");
		bench_json_add_samples(json, bare_kinds[k].name, &bare_samples[k]);
	}
	g_string_append(json, "}\n");
	fputs(json->str, stdout);
	g_string_free(json, TRUE);
	ok = TRUE;
out:
	for (guint k = 0; k < N_LOG; k++) {
		bdm_log_close(logs[k]);
		bench_samples_clear(&log_samples[k]);
	}
	for (guint k = 0; k < N_BARE; k++) {
		if (bare[k].db != NULL)
			bare_close(&bare[k]);
		bench_samples_clear(&bare_samples[k]);
	}
	for (guint j = 0; j < batch; j++)
		g_free(rows[j].text);
	g_free(rows);
	return ok;
}

static gboolean run_generate(const char *path, guint records, GError **error)
{
	char *tmp = g_strconcat(path, ".tmp", NULL);
	char *wal = g_strconcat(tmp, "-wal", NULL);
	char *shm = g_strconcat(tmp, "-shm", NULL);
	BdmLog *log;
	BenchRng rng;
	gboolean ok = TRUE;

	/* A run killed half-way must not leave a short log that looks cached. */
	g_unlink(tmp);
	g_unlink(wal);
	g_unlink(shm);
	bench_rng_seed(&rng, SEED);
	log = bdm_log_open(tmp, "bench", error);
	ok = log != NULL;
	for (guint64 first = 0; ok && first < records; first += GENERATE_BATCH) {
		guint n = (guint)MIN((guint64)GENERATE_BATCH, records - first);
		Record rows[GENERATE_BATCH];

		for (guint j = 0; j < n; j++)
			record_make(&rows[j], &rng, first + j);
		ok = log_write(log, rows, n, GENERATE_BATCH, error);
		for (guint j = 0; j < n; j++)
			g_free(rows[j].text);
	}
	bdm_log_close(log);
	if (ok && g_rename(tmp, path) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot rename %s: %s",
		            tmp, g_strerror(errno));
		ok = FALSE;
	}
	g_free(tmp);
	g_free(wal);
	g_free(shm);
	return ok;
}

int main(int argc, char **argv)
{
	char *dir = NULL, *db = NULL;
	int records = 20000;
	int batch = DEFAULT_BATCH;
	GOptionEntry entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "append: an empty directory", "DIR" },
		{ "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "generate: the log to write", "PATH" },
		{ "records", 0, 0, G_OPTION_ARG_INT, &records, "records to write", "N" },
		{ "batch", 0, 0, G_OPTION_ARG_INT, &batch, "append: records per poll batch", "B" },
		{ NULL }
	};
	GOptionContext *context = g_option_context_new("append|generate - log benchmark");
	GError *error = NULL;
	const char *mode;
	gboolean ok;

	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		fprintf(stderr, "bench_log: %s\n", error->message);
		return 2;
	}
	g_option_context_free(context);
	mode = argc > 1 ? argv[1] : "";
	if (records < 1 || batch < 1 || batch > 10000 ||
	    !((strcmp(mode, "append") == 0 && dir != NULL) ||
	      (strcmp(mode, "generate") == 0 && db != NULL))) {
		fprintf(stderr, "usage: bench_log append --dir DIR [--records N] [--batch B]\n"
		                "       bench_log generate --db PATH --records N\n");
		return 2;
	}
	if (strcmp(mode, "append") == 0)
		ok = run_append(dir, (guint)records, (guint)batch, &error);
	else
		ok = run_generate(db, (guint)records, &error);
	if (!ok) {
		fprintf(stderr, "bench_log: %s\n", error->message);
		g_error_free(error);
	}
	g_free(dir);
	g_free(db);
	return ok ? 0 : 1;
}
