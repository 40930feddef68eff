/*
 * bench_accuracy: precision and recall of the policy engine per category
 * of tests/policy_corpus/ (data published by others, every line cited).
 *
 *   bench_accuracy [--corpus DIR]
 *
 * Prints one JSON object; bench/run-bench shows it as a table.  The same
 * corpus and counting are what tests/unit/test_policy_corpus.c holds to
 * the targets.
 */
#include <stdio.h>

#include "policy_accuracy.h"

int main(int argc, char **argv)
{
	char *dir = NULL;
	GOptionEntry entries[] = {
		{ "corpus", 0, 0, G_OPTION_ARG_FILENAME, &dir, "the corpus folder", "DIR" },
		{ NULL }
	};
	GOptionContext *context = g_option_context_new("- policy accuracy per category");
	GError *error = NULL;
	GPtrArray *scores;
	GString *json;

	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		fprintf(stderr, "bench_accuracy: %s\n", error->message);
		return 2;
	}
	g_option_context_free(context);
	scores = bdm_corpus_run(dir != NULL ? dir : "tests/policy_corpus", &error);
	if (scores == NULL) {
		fprintf(stderr, "bench_accuracy: %s\n", error->message);
		g_error_free(error);
		return 1;
	}
	json = g_string_new("{\"categories\": [");
	for (guint i = 0; i < scores->len; i++) {
		const BdmCorpusScore *s = g_ptr_array_index(scores, i);

		g_string_append_printf(json, "%s{\"category\": \"%s\", \"tp\": %u, \"fn\": %u, "
		                       "\"fp\": %u, \"tn\": %u, \"precision\": %.4f, "
		                       "\"recall\": %.4f, \"clean_ok\": %u, \"clean_bad\": %u, "
		                       "\"oos\": %u, \"oos_found\": %u}",
		                       i > 0 ? ", " : "", s->category, s->tp, s->fn, s->fp, s->tn,
		                       bdm_corpus_precision(s), bdm_corpus_recall(s), s->clean_ok,
		                       s->clean_bad, s->oos, s->oos_found);
	}
	g_string_append(json, "]}\n");
	fputs(json->str, stdout);
	g_string_free(json, TRUE);
	g_ptr_array_unref(scores);
	g_free(dir);
	return 0;
}
