/*
 * The team database link (plugin/desk/team_db.c) against a real PostgreSQL
 * server: queries in order with text parameters, queries waiting for the
 * link, LISTEN/NOTIFY, a server stopped and restarted, a session killed,
 * a malformed connection string, a password that never shows, freeing with
 * work pending, and a main loop that never stalls while servers are dead
 * or silent.
 *
 * No libpurple core: the test lends libpurple GLib's main loop through the
 * headless client's PurpleEventLoopUiOps (tests/client/eventloop.c), and collects the
 * debug output to check it for the password.  Each test starts the server
 * (as the postgres user when run as root, which the server requires) on a
 * unix socket in a private directory and stops it in the fixture's
 * teardown; a failed assertion aborts, so a signal handler stops it then.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <debug.h>
#include <eventloop.h>

#include "../client/eventloop.h"
#include "team_db.h"

#define DEFAULT_PG_BIN "/usr/lib/postgresql/15/bin"
#define PG_PORT "54329"
#define PASSWORD "S3cretPW!"

/* Every debug line team_db writes, to look for the password in. */
static GString *debug_log;

static void debug_print(PurpleDebugLevel level, const char *category, const char *text)
{
	(void)level;
	g_string_append_printf(debug_log, "%s: %s%s", category, text,
	                       g_str_has_suffix(text, "\n") ? "" : "\n");
	if (g_getenv("BDM_TEST_DEBUG") != NULL)
		g_printerr("%s: %s%s", category, text, g_str_has_suffix(text, "\n") ? "" : "\n");
}

static gboolean debug_enabled(PurpleDebugLevel level, const char *category)
{
	(void)level;
	(void)category;
	return TRUE;
}

static PurpleDebugUiOps debug_ops = { debug_print, debug_enabled, NULL, NULL, NULL, NULL };

static guint count_in_debug_log(const char *needle)
{
	const char *p = debug_log->str;
	guint n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* ---- waiting on the loop ------------------------------------------------ */

static gboolean keep_source(gpointer data)
{
	(void)data;
	return TRUE;
}

/* Run the loop until cond holds, at most ms milliseconds. */
#define WAIT_FOR(cond, ms) G_STMT_START { \
	gint64 until_ = g_get_monotonic_time() + (gint64)(ms) * 1000; \
	guint wake_ = g_timeout_add(10, keep_source, NULL); \
	while (!(cond) && g_get_monotonic_time() < until_) \
		g_main_context_iteration(NULL, TRUE); \
	g_source_remove(wake_); \
	if (!(cond)) \
		g_test_message("timed out after %d ms waiting for %s", (int)(ms), #cond); \
	g_assert_true(cond); \
} G_STMT_END

/* Run the loop for ms milliseconds. */
static void spin(guint ms)
{
	gint64 until = g_get_monotonic_time() + (gint64)ms * 1000;
	guint wake = g_timeout_add(5, keep_source, NULL);

	while (g_get_monotonic_time() < until)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(wake);
}

/* ---- the server ---------------------------------------------------------- */

static struct {
	char *bin;           /* PostgreSQL's bindir */
	char *dir;           /* private: socket, data, log */
	char *data;
	char *log;
	char *conninfo;      /* as the postgres superuser */
	gboolean as_postgres; /* we are root: run the server as postgres */
	gboolean running;
	char **stop_argv;    /* prepared for the signal handler */
	char **rm_argv;
} pg;

/* argv for a PostgreSQL program, through runuser when we are root. */
static char **pg_argv(const char *program, const char *const *args)
{
	GPtrArray *argv = g_ptr_array_new();
	guint i;

	if (pg.as_postgres) {
		char *runuser = g_find_program_in_path("runuser");
		g_ptr_array_add(argv, runuser != NULL ? runuser : g_strdup("runuser"));
		g_ptr_array_add(argv, g_strdup("-u"));
		g_ptr_array_add(argv, g_strdup("postgres"));
		g_ptr_array_add(argv, g_strdup("--"));
	}
	g_ptr_array_add(argv, g_build_filename(pg.bin, program, NULL));
	for (i = 0; args[i] != NULL; i++)
		g_ptr_array_add(argv, g_strdup(args[i]));
	g_ptr_array_add(argv, NULL);
	return (char **)g_ptr_array_free(argv, FALSE);
}

static gboolean pg_run(const char *program, const char *const *args)
{
	char **argv = pg_argv(program, args);
	char *out = NULL, *err = NULL;
	GError *error = NULL;
	int status = -1;
	gboolean ok;

	ok = g_spawn_sync("/", argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
	if (ok)
		ok = g_spawn_check_wait_status(status, &error);
	if (!ok)
		g_test_message("%s failed: %s\n%s%s", program, error->message, out != NULL ? out : "",
		               err != NULL ? err : "");
	g_clear_error(&error);
	g_free(out);
	g_free(err);
	g_strfreev(argv);
	return ok;
}

/* Run argv and wait, with async-signal-safe calls only. */
static void run_in_handler(char **argv)
{
	pid_t child;
	int status;

	if (argv == NULL)
		return;
	child = fork();
	if (child == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (child > 0)
		waitpid(child, &status, 0);
}

/* A failed assertion aborts without the fixture's teardown: stop the
 * server and remove its directory here, so nothing outlives the test. */
static void emergency_cleanup(int sig)
{
	if (pg.running)
		run_in_handler(pg.stop_argv);
	pg.running = FALSE;
	run_in_handler(pg.rm_argv);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void prepend_hba_line(const char *line)
{
	char *path = g_build_filename(pg.data, "pg_hba.conf", NULL);
	char *old = NULL;
	FILE *f;

	g_assert_true(g_file_get_contents(path, &old, NULL, NULL));
	/* Rewritten in place, so the file stays the server's. */
	f = fopen(path, "w");
	g_assert_nonnull(f);
	fputs(line, f);
	fputs(old, f);
	g_assert_cmpint(fclose(f), ==, 0);
	g_free(old);
	g_free(path);
}

/* One cluster per run (initdb is the slow part); each test starts it. */
static void cluster_init(void)
{
	char tmpl[] = "/tmp/bdm-team-db-XXXXXX";
	const char *bin = g_getenv("BDM_PG_BIN");
	const char *stop_args[] = { "-D", NULL, "-m", "immediate", "-w", "stop", NULL };
	char *rm;

	if (pg.dir != NULL)
		return;
	pg.bin = g_strdup(bin != NULL ? bin : DEFAULT_PG_BIN);
	pg.as_postgres = getuid() == 0;
	/* /tmp, not $TMPDIR: the postgres user must reach it, and a unix
	 * socket's path must stay short. */
	g_assert_nonnull(g_mkdtemp(tmpl));
	pg.dir = g_strdup(tmpl);
	pg.data = g_build_filename(pg.dir, "data", NULL);
	pg.log = g_build_filename(pg.dir, "server.log", NULL);
	pg.conninfo = g_strdup_printf("host=%s port=%s dbname=postgres user=postgres", pg.dir, PG_PORT);
	if (pg.as_postgres) {
		struct passwd *pw = getpwnam("postgres");
		g_assert_nonnull(pw);
		g_assert_cmpint(chown(pg.dir, pw->pw_uid, pw->pw_gid), ==, 0);
	}
	g_assert_cmpint(g_chmod(pg.dir, 0700), ==, 0);

	stop_args[1] = pg.data;
	pg.stop_argv = pg_argv("pg_ctl", stop_args);
	rm = g_find_program_in_path("rm");
	pg.rm_argv = g_new0(char *, 4);
	pg.rm_argv[0] = rm != NULL ? rm : g_strdup("/bin/rm");
	pg.rm_argv[1] = g_strdup("-rf");
	pg.rm_argv[2] = g_strdup(pg.dir);
	signal(SIGABRT, emergency_cleanup);
	signal(SIGSEGV, emergency_cleanup);
	signal(SIGTERM, emergency_cleanup);
	signal(SIGINT, emergency_cleanup);
	signal(SIGALRM, emergency_cleanup);

	{
		const char *args[] = { "-D", pg.data, "-A", "trust", "-U", "postgres", "-N",
		                       "--no-instructions", NULL };
		g_assert_true(pg_run("initdb", args));
	}
	/* One role must give a password (scram-sha-256); everyone else is trusted. */
	prepend_hba_line("local all pwuser scram-sha-256\n");
}

static gboolean server_start(void)
{
	char *opts = g_strdup_printf("-k %s -p %s -c listen_addresses='' -c fsync=off "
	                             "-c password_encryption=scram-sha-256", pg.dir, PG_PORT);
	const char *args[] = { "-D", pg.data, "-l", pg.log, "-o", opts, "-w", "start", NULL };
	gboolean ok;

	/* Marked first: a start that half-succeeded is still stopped. */
	pg.running = TRUE;
	ok = pg_run("pg_ctl", args);
	g_free(opts);
	return ok;
}

static gboolean server_stop(const char *mode)
{
	const char *args[] = { "-D", pg.data, "-m", mode, "-w", "stop", NULL };
	gboolean ok = pg_run("pg_ctl", args);

	pg.running = !ok;
	return ok;
}

static void cluster_destroy(void)
{
	if (pg.dir == NULL)
		return;
	if (pg.running)
		server_stop("immediate");
	run_in_handler(pg.rm_argv);
	g_strfreev(pg.stop_argv);
	g_strfreev(pg.rm_argv);
	g_free(pg.bin);
	g_free(pg.dir);
	g_free(pg.data);
	g_free(pg.log);
	g_free(pg.conninfo);
	memset(&pg, 0, sizeof pg);
}

typedef struct {
	int unused;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
	(void)f;
	(void)data;
	cluster_init();
	g_assert_true(server_start());
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
	(void)f;
	(void)data;
	if (pg.running)
		g_assert_true(server_stop("fast"));
}

/* ---- what the callbacks saw --------------------------------------------- */

typedef struct {
	int ups;
	int downs;
	char *why;             /* the last reason for "down" */
	GPtrArray *order;      /* const char*: "up", "down" and query labels, as they came */
	GPtrArray *messages;   /* char*: every text handed to a callback */
	GPtrArray *notifies;   /* char*: "channel:payload" */
} Recorder;

typedef struct {
	Recorder *rec;
	const char *label;
	int called;
	char *value;           /* rows ("a|b,c|d") or the command tag */
	char *error;
} Call;

static void recorder_init(Recorder *r)
{
	memset(r, 0, sizeof *r);
	r->order = g_ptr_array_new();
	r->messages = g_ptr_array_new_with_free_func(g_free);
	r->notifies = g_ptr_array_new_with_free_func(g_free);
}

static void recorder_clear(Recorder *r)
{
	g_free(r->why);
	g_ptr_array_free(r->order, TRUE);
	g_ptr_array_free(r->messages, TRUE);
	g_ptr_array_free(r->notifies, TRUE);
}

static void calls_clear(Call *calls, guint n)
{
	guint i;

	for (i = 0; i < n; i++) {
		g_free(calls[i].value);
		g_free(calls[i].error);
	}
}

static void on_state(gboolean up, const char *why, gpointer data)
{
	Recorder *r = data;

	if (up) {
		g_assert_null(why);
		r->ups++;
		g_ptr_array_add(r->order, "up");
		return;
	}
	g_assert_nonnull(why);
	r->downs++;
	g_free(r->why);
	r->why = g_strdup(why);
	g_ptr_array_add(r->messages, g_strdup(why));
	g_ptr_array_add(r->order, "down");
}

static void on_notify(const char *channel, const char *payload, gpointer data)
{
	Recorder *r = data;

	g_ptr_array_add(r->notifies, g_strdup_printf("%s:%s", channel, payload));
}

static char *format_result(const PGresult *res)
{
	GString *out = g_string_new(NULL);
	int row, col;

	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		g_string_append(out, PQcmdStatus((PGresult *)res));
		return g_string_free(out, FALSE);
	}
	for (row = 0; row < PQntuples(res); row++) {
		if (row > 0)
			g_string_append_c(out, ',');
		for (col = 0; col < PQnfields(res); col++) {
			if (col > 0)
				g_string_append_c(out, '|');
			g_string_append(out, PQgetisnull(res, row, col) ? "NULL"
			                     : PQgetvalue(res, row, col));
		}
	}
	return g_string_free(out, FALSE);
}

static void on_result(const PGresult *res, const char *error, gpointer data)
{
	Call *c = data;

	c->called++;
	g_ptr_array_add(c->rec->order, (gpointer)c->label);
	g_free(c->value);
	g_free(c->error);
	c->value = c->error = NULL;
	if (res == NULL) {
		g_assert_nonnull(error);
		c->error = g_strdup(error);
		g_ptr_array_add(c->rec->messages, g_strdup(error));
		return;
	}
	g_assert_null(error);
	g_assert_true(PQresultStatus(res) == PGRES_TUPLES_OK ||
	              PQresultStatus(res) == PGRES_COMMAND_OK);
	c->value = format_result(res);
}

static void query(BdmTeamDb *db, Call *c, Recorder *rec, const char *label, const char *sql,
                  int n_params, const char *const *params)
{
	c->rec = rec;
	c->label = label;
	bdm_team_db_query(db, sql, n_params, params, on_result, c);
}

/* A link to the test server, up. */
static BdmTeamDb *connect_up(Recorder *rec, const char *conninfo)
{
	BdmTeamDb *db = bdm_team_db_new(conninfo != NULL ? conninfo : pg.conninfo, on_state, on_notify,
	                                rec);
	int ups = rec->ups;

	bdm_team_db_set_timing(db, 50, 200, 5000);
	bdm_team_db_start(db);
	WAIT_FOR(rec->ups == ups + 1, 15000);
	g_assert_true(bdm_team_db_is_up(db));
	return db;
}

static void assert_order(const Recorder *r, const char *const *expected)
{
	guint i;

	for (i = 0; expected[i] != NULL; i++) {
		g_assert_cmpuint(i, <, r->order->len);
		g_assert_cmpstr(g_ptr_array_index(r->order, i), ==, expected[i]);
	}
	g_assert_cmpuint(i, ==, r->order->len);
}

/* ---- the tests ------------------------------------------------------------ */

static void test_query_order(Fixture *f, gconstpointer data)
{
	Recorder rec;
	Call c[8] = { { 0 } };
	const char *texts[] = { "a b", "o'hara\"; DROP TABLE x;--", "Grüße ✓" };
	const char *nulls[] = { NULL, "41" };
	const char *expected[] = { "up", "rows", "params", "null", "error", "after-error", "command",
	                           "select-after-command", "big", NULL };
	char *big = g_strnfill(8 * 1024 * 1024, 'x');
	const char *big_param[] = { big };
	BdmTeamDb *db;

	(void)f;
	(void)data;
	recorder_init(&rec);
	db = connect_up(&rec, NULL);
	g_assert_cmpint(bdm_team_db_backend_pid(db), >, 0);

	query(db, &c[0], &rec, "rows", "SELECT generate_series(1, 3)", 0, NULL);
	query(db, &c[1], &rec, "params", "SELECT $1::text || '|' || $2::text || '|' || $3::text", 3,
	      texts);
	query(db, &c[2], &rec, "null", "SELECT $1::text IS NULL, $2::int + 1", 2, nulls);
	query(db, &c[3], &rec, "error", "SELECT 1/0", 0, NULL);
	query(db, &c[4], &rec, "after-error", "SELECT 'still fine'", 0, NULL);
	query(db, &c[5], &rec, "command", "CREATE TEMP TABLE t (x int)", 0, NULL);
	query(db, &c[6], &rec, "select-after-command", "SELECT count(*) FROM t", 0, NULL);
	/* More than a socket buffer: PQflush leaves some for the write watch. */
	query(db, &c[7], &rec, "big", "SELECT length($1)", 1, big_param);
	WAIT_FOR(c[7].called == 1, 10000);

	assert_order(&rec, expected);
	g_assert_cmpstr(c[0].value, ==, "1,2,3");
	g_assert_cmpstr(c[1].value, ==, "a b|o'hara\"; DROP TABLE x;--|Grüße ✓");
	g_assert_cmpstr(c[2].value, ==, "t|42");
	g_assert_null(c[3].value);
	g_assert_nonnull(strstr(c[3].error, "division by zero"));
	g_assert_null(strchr(c[3].error, '\n'));
	g_assert_cmpstr(c[4].value, ==, "still fine");
	g_assert_cmpstr(c[5].value, ==, "CREATE TABLE");
	g_assert_cmpstr(c[6].value, ==, "0");
	g_assert_cmpstr(c[7].value, ==, "8388608");
	g_assert_cmpint(rec.downs, ==, 0);

	bdm_team_db_free(db);
	g_free(big);
	calls_clear(c, G_N_ELEMENTS(c));
	recorder_clear(&rec);
}

/* COPY would need a sub-protocol the link does not speak: the query is
 * refused and the session replaced, and the next query runs. */
static void test_copy_refused(Fixture *f, gconstpointer data)
{
	Recorder rec;
	Call c[2] = { { 0 } };
	const char *expected[] = { "up", "down", "copy", "up", "after", NULL };
	BdmTeamDb *db;

	(void)f;
	(void)data;
	recorder_init(&rec);
	db = connect_up(&rec, NULL);
	query(db, &c[0], &rec, "copy", "COPY (SELECT 1) TO STDOUT", 0, NULL);
	query(db, &c[1], &rec, "after", "SELECT 'after'", 0, NULL);
	WAIT_FOR(c[1].called == 1, 10000);
	g_assert_cmpstr(c[0].error, ==, "COPY is not supported on the team database link");
	g_assert_cmpstr(c[1].value, ==, "after");
	assert_order(&rec, expected);

	bdm_team_db_free(db);
	calls_clear(c, G_N_ELEMENTS(c));
	recorder_clear(&rec);
}

static void test_queued_before_up(Fixture *f, gconstpointer data)
{
	Recorder rec;
	Call c[2] = { { 0 } };
	const char *expected[] = { "up", "early-1", "early-2", NULL };
	BdmTeamDb *db;

	(void)f;
	(void)data;
	recorder_init(&rec);
	db = bdm_team_db_new(pg.conninfo, on_state, NULL, &rec);
	query(db, &c[0], &rec, "early-1", "SELECT 'one'", 0, NULL);
	bdm_team_db_start(db);
	/* Neither runs inside the calls that queued them. */
	query(db, &c[1], &rec, "early-2", "SELECT 'two'", 0, NULL);
	g_assert_cmpint(c[0].called, ==, 0);
	g_assert_false(bdm_team_db_is_up(db));
	g_assert_cmpint(bdm_team_db_backend_pid(db), ==, 0);
	WAIT_FOR(c[1].called == 1, 10000);

	assert_order(&rec, expected);
	g_assert_cmpstr(c[0].value, ==, "one");
	g_assert_cmpstr(c[1].value, ==, "two");

	bdm_team_db_free(db);
	calls_clear(c, G_N_ELEMENTS(c));
	recorder_clear(&rec);
}

/* Data a query owns: freed once, after its callback, or unused when the
 * link is freed first. */
typedef struct {
	int calls;
	int destroyed;
	int calls_when_destroyed;
} Owned;

static void owned_result(const PGresult *res, const char *error, gpointer data)
{
	Owned *o = data;

	(void)res;
	(void)error;
	g_assert_cmpint(o->destroyed, ==, 0);
	o->calls++;
}

static void owned_destroy(gpointer data)
{
	Owned *o = data;

	o->destroyed++;
	o->calls_when_destroyed = o->calls;
}

static void test_query_destroy(Fixture *f, gconstpointer data)
{
	Recorder rec, drec;
	Owned ran = { 0, 0, 0 }, dropped = { 0, 0, 0 };
	BdmTeamDb *db, *dead;

	(void)f;
	(void)data;
	recorder_init(&rec);
	recorder_init(&drec);
	db = connect_up(&rec, NULL);
	bdm_team_db_query_full(db, "SELECT 1", 0, NULL, owned_result, &ran, owned_destroy);
	WAIT_FOR(ran.destroyed == 1, 10000);
	g_assert_cmpint(ran.calls, ==, 1);
	g_assert_cmpint(ran.calls_when_destroyed, ==, 1);

	/* Queued on a link that never comes up, then the link is freed. */
	dead = bdm_team_db_new("host=/nonexistent/bdm-team-db port=1", on_state, NULL, &drec);
	bdm_team_db_set_timing(dead, 20, 40, 300);
	bdm_team_db_start(dead);
	bdm_team_db_query_full(dead, "SELECT 1", 0, NULL, owned_result, &dropped, owned_destroy);
	bdm_team_db_free(dead);
	g_assert_cmpint(dropped.calls, ==, 0);
	g_assert_cmpint(dropped.destroyed, ==, 1);
	spin(100);
	g_assert_cmpint(dropped.calls, ==, 0);
	g_assert_cmpint(dropped.destroyed, ==, 1);

	bdm_team_db_free(db);
	recorder_clear(&drec);
	recorder_clear(&rec);
}

static void test_listen_notify(Fixture *f, gconstpointer data)
{
	Recorder lrec, srec;
	Call c[4] = { { 0 } };
	const char *first[] = { "bdm chan", "hello" };
	BdmTeamDb *listener, *sender;

	(void)f;
	(void)data;
	recorder_init(&lrec);
	recorder_init(&srec);
	listener = bdm_team_db_new(pg.conninfo, on_state, on_notify, &lrec);
	/* A space and capitals: the names are quoted, not folded. */
	bdm_team_db_listen(listener, "bdm chan");
	bdm_team_db_listen(listener, "Mixed");
	bdm_team_db_listen(listener, "Mixed");
	bdm_team_db_start(listener);
	WAIT_FOR(lrec.ups == 1, 10000);
	sender = connect_up(&srec, NULL);

	query(sender, &c[0], &srec, "notify-1", "SELECT pg_notify($1, $2)", 2, first);
	query(sender, &c[1], &srec, "notify-2", "NOTIFY \"Mixed\"", 0, NULL);
	WAIT_FOR(lrec.notifies->len == 2, 10000);
	g_assert_cmpstr(g_ptr_array_index(lrec.notifies, 0), ==, "bdm chan:hello");
	g_assert_cmpstr(g_ptr_array_index(lrec.notifies, 1), ==, "Mixed:");

	/* LISTEN while up goes ahead of later queries. */
	bdm_team_db_listen(listener, "late");
	query(listener, &c[2], &lrec, "after-listen", "SELECT 1", 0, NULL);
	WAIT_FOR(c[2].called == 1, 10000);
	query(sender, &c[3], &srec, "notify-3", "NOTIFY late, 'x'", 0, NULL);
	WAIT_FOR(lrec.notifies->len == 3, 10000);
	g_assert_cmpstr(g_ptr_array_index(lrec.notifies, 2), ==, "late:x");
	g_assert_cmpint(srec.notifies->len, ==, 0);

	bdm_team_db_free(listener);
	bdm_team_db_free(sender);
	calls_clear(c, G_N_ELEMENTS(c));
	recorder_clear(&lrec);
	recorder_clear(&srec);
}

static void test_server_restart(Fixture *f, gconstpointer data)
{
	Recorder rec, srec;
	Call slow = { 0 }, waiting[2] = { { 0 } }, c[1] = { { 0 } };
	const char *expected[] = { "up", "down", "in-flight", "up", "waited-1", "waited-2", NULL };
	BdmTeamDb *db, *sender;
	guint retries;
	int old_pid;

	(void)f;
	(void)data;
	recorder_init(&rec);
	recorder_init(&srec);
	db = bdm_team_db_new(pg.conninfo, on_state, on_notify, &rec);
	bdm_team_db_set_timing(db, 50, 200, 3000);
	bdm_team_db_listen(db, "restart_chan");
	bdm_team_db_start(db);
	WAIT_FOR(rec.ups == 1, 10000);
	old_pid = bdm_team_db_backend_pid(db);
	sender = connect_up(&srec, NULL);

	query(db, &slow, &rec, "in-flight", "SELECT pg_sleep(30)", 0, NULL);
	spin(300);
	g_assert_true(server_stop("immediate"));
	WAIT_FOR(slow.called == 1, 5000);
	g_assert_cmpstr(slow.error, ==, BDM_TEAM_DB_CONNECTION_LOST);
	g_assert_cmpint(rec.downs, ==, 1);
	g_assert_false(bdm_team_db_is_up(db));
	g_assert_cmpint(bdm_team_db_backend_pid(db), ==, 0);

	/* Queued while down: they wait through several failed attempts. */
	retries = count_in_debug_log("reconnecting in");
	query(db, &waiting[0], &rec, "waited-1", "SELECT 'w1'", 0, NULL);
	query(db, &waiting[1], &rec, "waited-2", "SELECT 'w2'", 0, NULL);
	spin(700);
	g_assert_cmpint(waiting[0].called, ==, 0);
	g_assert_cmpint(rec.downs, ==, 1);
	g_assert_cmpint(rec.ups, ==, 1);
	g_assert_cmpuint(count_in_debug_log("reconnecting in") - retries, >=, 3);

	g_assert_true(server_start());
	WAIT_FOR(waiting[1].called == 1, 10000);
	assert_order(&rec, expected);
	g_assert_cmpstr(waiting[0].value, ==, "w1");
	g_assert_cmpstr(waiting[1].value, ==, "w2");
	g_assert_cmpint(bdm_team_db_backend_pid(db), >, 0);
	g_assert_cmpint(bdm_team_db_backend_pid(db), !=, old_pid);

	/* LISTEN came back with the link. */
	WAIT_FOR(srec.ups == 2, 10000);
	query(sender, &c[0], &srec, "notify", "SELECT pg_notify('restart_chan', 'after')", 0, NULL);
	WAIT_FOR(rec.notifies->len == 1, 10000);
	g_assert_cmpstr(g_ptr_array_index(rec.notifies, 0), ==, "restart_chan:after");

	bdm_team_db_free(db);
	bdm_team_db_free(sender);
	calls_clear(&slow, 1);
	calls_clear(waiting, G_N_ELEMENTS(waiting));
	calls_clear(c, G_N_ELEMENTS(c));
	recorder_clear(&rec);
	recorder_clear(&srec);
}

static void test_terminate_backend(Fixture *f, gconstpointer data)
{
	Recorder rec, arec;
	Call kill = { 0 }, after = { 0 };
	BdmTeamDb *db, *admin;
	char pid_text[16];
	const char *params[] = { pid_text };
	int old_pid;

	(void)f;
	(void)data;
	recorder_init(&rec);
	recorder_init(&arec);
	db = connect_up(&rec, NULL);
	admin = connect_up(&arec, NULL);
	old_pid = bdm_team_db_backend_pid(db);
	g_snprintf(pid_text, sizeof pid_text, "%d", old_pid);

	query(admin, &kill, &arec, "kill", "SELECT pg_terminate_backend($1::int)", 1, params);
	WAIT_FOR(kill.called == 1, 10000);
	g_assert_cmpstr(kill.value, ==, "t");
	WAIT_FOR(rec.ups == 2, 10000);
	g_assert_cmpint(rec.downs, ==, 1);
	g_assert_cmpint(bdm_team_db_backend_pid(db), >, 0);
	g_assert_cmpint(bdm_team_db_backend_pid(db), !=, old_pid);
	query(db, &after, &rec, "after", "SELECT 'alive'", 0, NULL);
	WAIT_FOR(after.called == 1, 10000);
	g_assert_cmpstr(after.value, ==, "alive");
	g_assert_cmpint(arec.downs, ==, 0);

	bdm_team_db_free(db);
	bdm_team_db_free(admin);
	calls_clear(&kill, 1);
	calls_clear(&after, 1);
	recorder_clear(&rec);
	recorder_clear(&arec);
}

typedef struct {
	gint64 last;
	gint64 longest;
} Ticker;

static gboolean tick(gpointer data)
{
	Ticker *t = data;
	gint64 now = g_get_monotonic_time();

	if (t->last != 0 && now - t->last > t->longest)
		t->longest = now - t->last;
	t->last = now;
	return TRUE;
}

/* A TCP server on 127.0.0.1 whose kernel accepts connections that nobody
 * ever answers: libpq waits for a reply forever. */
static int silent_listener(int *port)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof addr;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	g_assert_cmpint(fd, >=, 0);
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof addr), ==, 0);
	g_assert_cmpint(listen(fd, 128), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&addr, &len), ==, 0);
	*port = ntohs(addr.sin_port);
	return fd;
}

static void test_never_blocks(void)
{
	Recorder missing, silent, named;
	BdmTeamDb *a, *b, *c;
	Ticker t = { 0, 0 };
	char *silent_info, *named_info;
	guint ticker, attempts;
	int port, fd = silent_listener(&port);

	recorder_init(&missing);
	recorder_init(&silent);
	recorder_init(&named);
	silent_info = g_strdup_printf("hostaddr=127.0.0.1 port=%d dbname=x user=x", port);
	/* A name goes through the resolver, off the loop. */
	named_info = g_strdup_printf("host=localhost port=%d dbname=x user=x", port);
	a = bdm_team_db_new("host=/nonexistent/bdm-team-db port=5432 dbname=x", on_state, NULL,
	                    &missing);
	b = bdm_team_db_new(silent_info, on_state, NULL, &silent);
	c = bdm_team_db_new(named_info, on_state, NULL, &named);
	bdm_team_db_set_timing(a, 20, 40, 300);
	bdm_team_db_set_timing(b, 20, 40, 300);
	bdm_team_db_set_timing(c, 20, 40, 300);
	attempts = count_in_debug_log("connecting to");
	bdm_team_db_start(a);
	bdm_team_db_start(b);
	bdm_team_db_start(c);
	/* Measured after each kind of attempt has run once: under valgrind the
	 * first run of libpq's and OpenSSL's set-up code is translated, which
	 * takes tens of milliseconds without anything blocking. */
	spin(400);

	ticker = g_timeout_add(1, tick, &t);
	spin(2000);
	g_source_remove(ticker);
	g_test_message("longest gap between 1 ms ticks: %.1f ms", t.longest / 1000.0);
	g_assert_cmpint(t.longest, <, 50 * 1000);

	g_assert_cmpint(missing.downs, ==, 1);
	g_assert_nonnull(strstr(missing.why, "could not connect to the team database"));
	g_assert_cmpint(silent.downs, ==, 1);
	g_assert_nonnull(strstr(silent.why, "timed out"));
	g_assert_cmpint(named.downs, ==, 1);
	g_assert_cmpint(missing.ups + silent.ups + named.ups, ==, 0);
	/* Still retrying, each after its timeout or backoff. */
	g_assert_cmpuint(count_in_debug_log("connecting to") - attempts, >=, 10);
	g_assert_cmpuint(count_in_debug_log("(host names resolved)"), >=, 1);

	bdm_team_db_free(a);
	bdm_team_db_free(b);
	bdm_team_db_free(c);
	spin(100);
	close(fd);
	g_free(silent_info);
	g_free(named_info);
	recorder_clear(&missing);
	recorder_clear(&silent);
	recorder_clear(&named);
}

static void test_malformed(void)
{
	Recorder rec, urec;
	Call c[2] = { { 0 } };
	BdmTeamDb *db, *uri;
	guint attempts = count_in_debug_log("connecting to");

	recorder_init(&rec);
	recorder_init(&urec);
	db = bdm_team_db_new("host=/tmp port", on_state, NULL, &rec);
	bdm_team_db_set_timing(db, 10, 20, 100);
	bdm_team_db_start(db);
	query(db, &c[0], &rec, "refused", "SELECT 1", 0, NULL);
	g_assert_cmpint(rec.downs, ==, 0);
	WAIT_FOR(rec.downs == 1 && c[0].called == 1, 5000);
	spin(300);
	g_assert_cmpint(rec.downs, ==, 1);
	g_assert_cmpint(rec.ups, ==, 0);
	g_assert_true(g_str_has_prefix(rec.why, "the team database connection string is malformed: "));
	g_assert_nonnull(strstr(rec.why, "missing \"=\" after \"port\""));
	g_assert_cmpstr(c[0].error, ==, rec.why);
	g_assert_false(bdm_team_db_is_up(db));
	/* No attempt was made, and none is retried. */
	g_assert_cmpuint(count_in_debug_log("connecting to"), ==, attempts);

	/* libpq quotes the bad token, which here is the password itself. */
	uri = bdm_team_db_new("postgresql://u:" PASSWORD "%zz@/db", on_state, NULL, &urec);
	bdm_team_db_start(uri);
	query(uri, &c[1], &urec, "refused", "SELECT 1", 0, NULL);
	WAIT_FOR(urec.downs == 1 && c[1].called == 1, 5000);
	g_assert_true(g_str_has_prefix(urec.why, "the team database connection string is malformed: "));
	g_assert_null(strstr(urec.why, PASSWORD));
	g_assert_nonnull(strstr(urec.why, "***"));
	g_assert_null(strstr(debug_log->str, PASSWORD));

	bdm_team_db_free(db);
	bdm_team_db_free(uri);
	calls_clear(c, G_N_ELEMENTS(c));
	recorder_clear(&rec);
	recorder_clear(&urec);
}

static void assert_no_password(const Recorder *r)
{
	guint i;

	for (i = 0; i < r->messages->len; i++) {
		const char *m = g_ptr_array_index(r->messages, i);
		if (strstr(m, PASSWORD) != NULL)
			g_test_message("the password leaked: %s", m);
		g_assert_null(strstr(m, PASSWORD));
	}
}

static void test_password_never_shown(Fixture *f, gconstpointer data)
{
	Recorder admin_rec, rec, urec, wrong, same, gone;
	Call role = { 0 }, cast = { 0 };
	const char *params[] = { PASSWORD };
	BdmTeamDb *admin, *db, *uri, *w, *s, *g;
	char *info, *uri_info, *wrong_info, *same_info;

	(void)f;
	(void)data;
	recorder_init(&admin_rec);
	recorder_init(&rec);
	recorder_init(&urec);
	recorder_init(&wrong);
	recorder_init(&same);
	recorder_init(&gone);
	admin = connect_up(&admin_rec, NULL);
	query(admin, &role, &admin_rec, "role",
	      "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pwuser') THEN "
	      "CREATE ROLE pwuser LOGIN PASSWORD '" PASSWORD "'; END IF; END$$", 0, NULL);
	WAIT_FOR(role.called == 1, 10000);
	g_assert_null(role.error);

	/* The right password, keyword form: connects; a server error that
	 * quotes the password's text is scrubbed. */
	info = g_strdup_printf("host=%s port=%s dbname=postgres user=pwuser password=" PASSWORD,
	                       pg.dir, PG_PORT);
	db = connect_up(&rec, info);
	query(db, &cast, &rec, "cast", "SELECT $1::int", 1, params);
	WAIT_FOR(cast.called == 1, 10000);
	g_assert_nonnull(cast.error);
	g_assert_nonnull(strstr(cast.error, "invalid input syntax for type integer: \"***\""));

	/* The right password in a URI, percent-encoded. */
	uri_info = g_strdup_printf("postgresql://pwuser:S3cretPW%%21@/postgres?host=%s&port=%s",
	                           pg.dir, PG_PORT);
	uri = connect_up(&urec, uri_info);

	/* A wrong password, a user name equal to the password (the server
	 * quotes it), and no server at all: each reported, none with it. */
	wrong_info = g_strdup_printf("host=%s port=%s dbname=postgres user=pwuser password='"
	                             PASSWORD "x'", pg.dir, PG_PORT);
	same_info = g_strdup_printf("host=%s port=%s dbname=postgres user=" PASSWORD
	                            " password=" PASSWORD, pg.dir, PG_PORT);
	w = bdm_team_db_new(wrong_info, on_state, NULL, &wrong);
	s = bdm_team_db_new(same_info, on_state, NULL, &same);
	g = bdm_team_db_new("host=/nonexistent/bdm-team-db port=1 user=u password=" PASSWORD,
	                    on_state, NULL, &gone);
	bdm_team_db_start(w);
	bdm_team_db_start(s);
	bdm_team_db_start(g);
	WAIT_FOR(wrong.downs == 1 && same.downs == 1 && gone.downs == 1, 10000);
	g_assert_nonnull(strstr(wrong.why, "password authentication failed"));
	g_assert_nonnull(strstr(same.why, "role \"***\" does not exist"));
	g_assert_nonnull(strstr(gone.why, "could not connect"));

	assert_no_password(&rec);
	assert_no_password(&urec);
	assert_no_password(&wrong);
	assert_no_password(&same);
	assert_no_password(&gone);
	g_assert_null(strstr(debug_log->str, PASSWORD));
	g_assert_null(strstr(debug_log->str, "S3cretPW%21"));
	g_assert_nonnull(strstr(debug_log->str, "password=***"));
	g_assert_nonnull(strstr(debug_log->str, "pwuser:***@"));

	bdm_team_db_free(admin);
	bdm_team_db_free(db);
	bdm_team_db_free(uri);
	bdm_team_db_free(w);
	bdm_team_db_free(s);
	bdm_team_db_free(g);
	g_free(info);
	g_free(uri_info);
	g_free(wrong_info);
	g_free(same_info);
	calls_clear(&role, 1);
	calls_clear(&cast, 1);
	recorder_clear(&admin_rec);
	recorder_clear(&rec);
	recorder_clear(&urec);
	recorder_clear(&wrong);
	recorder_clear(&same);
	recorder_clear(&gone);
}

/* A link its own callback frees. */
typedef struct {
	BdmTeamDb *db;
	int called;
} SelfFree;

static void free_on_result(const PGresult *res, const char *error, gpointer data)
{
	SelfFree *s = data;

	(void)res;
	(void)error;
	s->called++;
	bdm_team_db_free(s->db);
	s->db = NULL;
}

static void free_on_down(gboolean up, const char *why, gpointer data)
{
	SelfFree *s = data;

	(void)why;
	s->called++;
	if (!up) {
		bdm_team_db_free(s->db);
		s->db = NULL;
	}
}

static void test_free_pending(Fixture *f, gconstpointer data)
{
	Recorder rec, drec, frec;
	Call busy[4] = { { 0 } }, down[2] = { { 0 } }, *many, overflow = { 0 }, never[2] = { { 0 } };
	SelfFree by_result = { NULL, 0 }, by_state = { NULL, 0 };
	BdmTeamDb *db, *dead, *lookup, *full;
	guint resolving_before = count_in_debug_log("resolving localhost"), i;

	(void)f;
	(void)data;
	recorder_init(&rec);
	recorder_init(&drec);
	recorder_init(&frec);

	/* Up, one query on the wire and three waiting. */
	db = connect_up(&rec, NULL);
	query(db, &busy[0], &rec, "sleep", "SELECT pg_sleep(5)", 0, NULL);
	spin(100);
	for (i = 1; i < G_N_ELEMENTS(busy); i++)
		query(db, &busy[i], &rec, "waiting", "SELECT 1", 0, NULL);

	/* Down and retrying, with queries waiting. */
	dead = bdm_team_db_new("host=/nonexistent/bdm-team-db port=1", on_state, NULL, &drec);
	bdm_team_db_set_timing(dead, 20, 40, 300);
	bdm_team_db_start(dead);
	query(dead, &down[0], &drec, "down-1", "SELECT 1", 0, NULL);
	query(dead, &down[1], &drec, "down-2", "SELECT 1", 0, NULL);

	/* Freed in the middle of resolving a name: the answer comes to nobody. */
	lookup = bdm_team_db_new("host=localhost port=1", on_state, NULL, &drec);
	bdm_team_db_start(lookup);
	while (count_in_debug_log("resolving localhost") == resolving_before)
		g_main_context_iteration(NULL, TRUE);
	bdm_team_db_free(lookup);

	/* A full queue refuses the next query, from the loop; the others
	 * are dropped by free. */
	full = bdm_team_db_new(pg.conninfo, on_state, NULL, &frec);
	many = g_new0(Call, BDM_TEAM_DB_MAX_QUEUED);
	for (i = 0; i < BDM_TEAM_DB_MAX_QUEUED; i++)
		query(full, &many[i], &frec, "many", "SELECT 1", 0, NULL);
	query(full, &overflow, &frec, "overflow", "SELECT 1", 0, NULL);
	g_assert_cmpint(overflow.called, ==, 0);
	WAIT_FOR(overflow.called == 1, 5000);
	g_assert_cmpstr(overflow.error, ==, "too many queries are waiting for the team database");
	spin(200);

	bdm_team_db_free(db);
	bdm_team_db_free(dead);
	bdm_team_db_free(full);
	bdm_team_db_free(NULL);

	/* Freed by its own result callback, with another query waiting. */
	by_result.db = connect_up(&rec, NULL);
	bdm_team_db_query(by_result.db, "SELECT 1", 0, NULL, free_on_result, &by_result);
	query(by_result.db, &never[0], &rec, "never", "SELECT 2", 0, NULL);
	/* Freed by its own "down" report. */
	by_state.db = bdm_team_db_new("host=/nonexistent/bdm-team-db port=1", free_on_down, NULL,
	                              &by_state);
	query(by_state.db, &never[1], &rec, "never", "SELECT 1", 0, NULL);
	bdm_team_db_start(by_state.db);
	WAIT_FOR(by_result.called == 1 && by_state.called == 1, 10000);

	/* Nothing calls back afterwards: no timer, watch or lookup is left. */
	spin(500);
	for (i = 0; i < G_N_ELEMENTS(busy); i++)
		g_assert_cmpint(busy[i].called, ==, 0);
	for (i = 0; i < G_N_ELEMENTS(down); i++)
		g_assert_cmpint(down[i].called, ==, 0);
	for (i = 0; i < BDM_TEAM_DB_MAX_QUEUED; i++)
		g_assert_cmpint(many[i].called, ==, 0);
	g_assert_cmpint(never[0].called, ==, 0);
	g_assert_cmpint(never[1].called, ==, 0);
	g_assert_cmpint(by_result.called, ==, 1);
	g_assert_cmpint(by_state.called, ==, 1);
	g_assert_cmpint(drec.ups, ==, 0);
	g_assert_cmpint(frec.downs + frec.ups, ==, 0);
	g_assert_cmpint(overflow.called, ==, 1);
	g_assert_null(strstr(debug_log->str, "connecting to host=localhost port=1"));

	calls_clear(busy, G_N_ELEMENTS(busy));
	calls_clear(down, G_N_ELEMENTS(down));
	calls_clear(many, BDM_TEAM_DB_MAX_QUEUED);
	calls_clear(&overflow, 1);
	calls_clear(never, G_N_ELEMENTS(never));
	g_free(many);
	recorder_clear(&rec);
	recorder_clear(&drec);
	recorder_clear(&frec);
}

int main(int argc, char **argv)
{
	int status;

	g_test_init(&argc, &argv, NULL);
	purple_eventloop_set_ui_ops(bdm_eventloop_ui_ops());
	debug_log = g_string_new(NULL);
	purple_debug_set_ui_ops(&debug_ops);
	/* Whatever happens, the server does not outlive a stuck run. */
	alarm(240);

	g_test_add("/team_db/query_order", Fixture, NULL, fixture_setup, test_query_order,
	           fixture_teardown);
	g_test_add("/team_db/copy_refused", Fixture, NULL, fixture_setup, test_copy_refused,
	           fixture_teardown);
	g_test_add("/team_db/queued_before_up", Fixture, NULL, fixture_setup, test_queued_before_up,
	           fixture_teardown);
	g_test_add("/team_db/query_destroy", Fixture, NULL, fixture_setup, test_query_destroy,
	           fixture_teardown);
	g_test_add("/team_db/listen_notify", Fixture, NULL, fixture_setup, test_listen_notify,
	           fixture_teardown);
	g_test_add("/team_db/server_restart", Fixture, NULL, fixture_setup, test_server_restart,
	           fixture_teardown);
	g_test_add("/team_db/terminate_backend", Fixture, NULL, fixture_setup, test_terminate_backend,
	           fixture_teardown);
	g_test_add_func("/team_db/never_blocks", test_never_blocks);
	g_test_add_func("/team_db/malformed", test_malformed);
	g_test_add("/team_db/password_never_shown", Fixture, NULL, fixture_setup,
	           test_password_never_shown, fixture_teardown);
	g_test_add("/team_db/free_pending", Fixture, NULL, fixture_setup, test_free_pending,
	           fixture_teardown);
	status = g_test_run();

	cluster_destroy();
	g_string_free(debug_log, TRUE);
	return status;
}
