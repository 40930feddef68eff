/*
 * Replays fuzz inputs through a fuzz target without libFuzzer, so that
 * `make check` (and `make check-asan`) proves every crash found once stays
 * fixed and every seed still parses without a sanitizer report.
 *
 *     replay-<target> FILE|DIR...
 *
 * Prints "done PATH" after each input returned; the wrapper script
 * (test_fuzz_regressions.py) turns that into TAP and, when the process dies,
 * knows which input killed it.  Directories are read in sorted order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	char *data = NULL;
	gsize len = 0;
	GError *error = NULL;

	if (!g_file_get_contents(path, &data, &len, &error)) {
		fprintf(stderr, "cannot read %s: %s\n", path, error->message);
		g_error_free(error);
		return 1;
	}
	/* libFuzzer hands targets a buffer of exactly the input's size: so do we,
	 * so an over-read shows under AddressSanitizer as it would there. */
	{
		uint8_t *exact = g_memdup2(data, len);
		LLVMFuzzerTestOneInput(exact, len);
		g_free(exact);
	}
	g_free(data);
	printf("done %s\n", path);
	fflush(stdout);
	return 0;
}

static int compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *path)
{
	GError *error = NULL;
	GDir *dir = g_dir_open(path, 0, &error);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *name;
	guint i;
	int failures = 0;

	if (dir == NULL) {
		fprintf(stderr, "cannot open %s: %s\n", path, error->message);
		g_error_free(error);
		g_ptr_array_free(names, TRUE);
		return 1;
	}
	while ((name = g_dir_read_name(dir)) != NULL)
		if (name[0] != '.')
			g_ptr_array_add(names, g_build_filename(path, name, NULL));
	g_dir_close(dir);
	g_ptr_array_sort(names, compare_names);
	for (i = 0; i < names->len; i++)
		failures += replay_file(g_ptr_array_index(names, i));
	g_ptr_array_free(names, TRUE);
	return failures;
}

int main(int argc, char **argv)
{
	int i, failures = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		failures += g_file_test(argv[i], G_FILE_TEST_IS_DIR) ? replay_dir(argv[i])
		                                                     : replay_file(argv[i]);
	return failures ? 1 : 0;
}
