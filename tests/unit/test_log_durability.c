/*
 * Durability against a killed process: log_writer appends messages and
 * prints each id after bdm_log_message returns; we SIGKILL it mid-burst
 * and every printed id must be in the file, with the chain intact.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log_internal.h"
#include "test_log_util.h"

static char *writer_path(void)
{
	char *self = g_file_read_link("/proc/self/exe", NULL);
	char *dir, *path;

	g_assert_nonnull(self);
	dir = g_path_get_dirname(self);
	path = g_build_filename(dir, "log_writer", NULL);
	g_free(self);
	g_free(dir);
	if (!g_file_test(path, G_FILE_TEST_IS_EXECUTABLE))
		g_error("%s is missing: build it with make %s", path, path);
	return path;
}

/* Read whole lines from fd into ids; stop after `stop_after` new lines
 * (0: read to EOF).  A partial last line is not an id. */
static void read_ids(int fd, GString *pending, GPtrArray *ids, guint stop_after)
{
	guint start = ids->len;
	char buf[4096];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		g_string_append_len(pending, buf, n);
		while ((nl = strchr(pending->str, '\n'))) {
			g_ptr_array_add(ids, g_strndup(pending->str, nl - pending->str));
			g_string_erase(pending, 0, nl - pending->str + 1);
		}
		if (stop_after && ids->len - start >= stop_after)
			return;
	}
}

static void kill_mid_burst(const char *db, guint after)
{
	char *writer = writer_path();
	char *argv[] = { writer, "burst", (char *)db, "100000000", NULL };
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	GString *pending = g_string_new(NULL);
	GError *error = NULL;
	BdmLogVerifyResult res;
	int out = -1, status = 0;
	GPid pid;
	BdmLog *log;
	guint i;

	g_assert_true(g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
	                                       NULL, &pid, NULL, &out, NULL, &error));
	g_assert_no_error(error);
	read_ids(out, pending, ids, after);
	/* Let it run a little further, into some transaction, then kill it. */
	g_usleep(g_random_int_range(0, 20000));
	g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
	read_ids(out, pending, ids, 0);
	close(out);
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	g_assert_true(WIFSIGNALED(status));
	g_assert_cmpint(WTERMSIG(status), ==, SIGKILL);
	g_spawn_close_pid(pid);
	g_assert_cmpuint(ids->len, >=, after);
	g_test_message("killed after %u printed ids", ids->len);

	log = bdm_log_open(db, "checker", &error);
	g_assert_no_error(error);
	for (i = 0; i < ids->len; i++) {
		const char *id = g_ptr_array_index(ids, i);

		if (!bdm_log_seen(log, "messenger", "page1", id))
			g_error("%s was reported logged but is not in %s", id, db);
	}
	/* The one after the last printed id may have committed, the one
	 * after that cannot have started. */
	{
		char *beyond = g_strdup_printf("burst-%u", ids->len + 1);

		g_assert_false(bdm_log_seen(log, "messenger", "page1", beyond));
		g_free(beyond);
	}
	g_assert_true(bdm_log_verify_full(log, &res, NULL, NULL, &error));
	g_assert_cmpint(res.first_broken_id, ==, 0);
	g_assert_cmpint(res.records, >=, ids->len);
	g_assert_cmpint(res.records, <=, ids->len + 1);
	bdm_log_verify_result_clear(&res);
	bdm_log_close(log);

	g_string_free(pending, TRUE);
	g_ptr_array_unref(ids);
	g_free(writer);
}

static void test_kill_during_burst(void)
{
	static const guint kill_after[] = { 1, 150, 2000 };
	char *dir = tlog_tmpdir();
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(kill_after); i++) {
		char *name = g_strdup_printf("log%zu.sqlite", i);
		char *db = g_build_filename(dir, name, NULL);

		kill_mid_burst(db, kill_after[i]);
		g_free(name);
		g_free(db);
	}
	tlog_rmtree(dir);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/log-durability/kill-during-burst", test_kill_during_burst);
	return g_test_run();
}
