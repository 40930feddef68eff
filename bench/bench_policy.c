/*
 * bench_policy: how fast bdm_policy_check() is on a corpus of realistic
 * DMs, with the built-in policy and with a policy file, timed per call.
 *
 *   bench_policy --out-dir DIR [--policy FILE] [--seed N] [--messages N]
 *                [--long N] [--passes N]
 *
 * Writes the corpus to DIR/corpus.txt (mixed lengths, one message a line)
 * and DIR/corpus-2000.txt (every message exactly 2,000 characters, the
 * Messenger limit), so bench/run-bench can run the grep baseline over the
 * very same text, then prints one JSON object with the timings.  The
 * findings digest changes only when some verdict changes: it is how an
 * optimisation shows that it kept the engine's behaviour.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "corpus.h"
#include "policy.h"

typedef struct {
	char **texts;
	guint n;
	guint64 bytes;
} Corpus;

typedef struct {
	BenchSamples all;
	guint allowed, warned, blocked, findings;
	GChecksum *digest;
} PolicyRun;

static void corpus_make(Corpus *c, guint64 seed, guint n, guint fixed_chars)
{
	BenchRng rng;

	bench_rng_seed(&rng, seed);
	c->texts = g_new0(char *, n + 1);
	c->n = n;
	c->bytes = 0;
	for (guint i = 0; i < n; i++) {
		guint chars = fixed_chars ? fixed_chars : bench_corpus_length(&rng);

		c->texts[i] = bench_corpus_message(&rng, chars);
		c->bytes += strlen(c->texts[i]);
	}
}

static gboolean corpus_write(const Corpus *c, const char *path, GError **error)
{
	GString *all = g_string_sized_new(c->bytes + c->n);
	gboolean ok;

	for (guint i = 0; i < c->n; i++) {
		g_string_append(all, c->texts[i]);
		g_string_append_c(all, '\n');
	}
	ok = g_file_set_contents(path, all->str, (gssize)all->len, error);
	g_string_free(all, TRUE);
	return ok;
}

static void digest_verdict(GChecksum *digest, const BdmVerdict *v)
{
	for (guint i = 0; i < v->findings->len; i++) {
		const BdmFinding *f = g_ptr_array_index(v->findings, i);
		char span[64];

		g_snprintf(span, sizeof span, "|%" G_GSIZE_FORMAT ",%" G_GSIZE_FORMAT ",%d|",
		           f->start, f->end, (int)f->severity);
		g_checksum_update(digest, (const guchar *)f->rule_id, -1);
		g_checksum_update(digest, (const guchar *)span, -1);
		g_checksum_update(digest, (const guchar *)f->explanation, -1);
	}
	g_checksum_update(digest, (const guchar *)"\n", 1);
}

/* One timed call per message; every 20th is an automated reply, so the
 * disclosure phrases are looked for too. */
static void check_corpus(const BdmPolicy *policy, const Corpus *c, PolicyRun *run,
                         gboolean record)
{
	for (guint i = 0; i < c->n; i++) {
		BdmCheckInput in = { 0 };
		BdmVerdict *v;
		gint64 start, took;

		in.text = c->texts[i];
		in.platform = "facebook";
		in.account = "1000123";
		in.agent = "alice";
		in.customer_has_written = TRUE;
		in.automated = i % 20 == 0;
		in.text_limit = 2000;
		start = bench_now_ns();
		v = bdm_policy_check(policy, &in);
		took = bench_now_ns() - start;
		if (record) {
			bench_samples_add(&run->all, took, strlen(c->texts[i]));
			run->findings += v->findings->len;
			if (v->level == BDM_VERDICT_BLOCK)
				run->blocked++;
			else if (v->level == BDM_VERDICT_WARN)
				run->warned++;
			else
				run->allowed++;
			digest_verdict(run->digest, v);
		}
		bdm_verdict_free(v);
	}
}

/* A warm-up pass (caches, page faults, lazily loaded translations), then
 * the timed passes. */
static void bench_policy(GString *json, const char *name, const BdmPolicy *policy,
                         const Corpus *mixed, const Corpus *longest, guint passes)
{
	PolicyRun run_mixed = { 0 }, run_long = { 0 };

	bench_samples_init(&run_mixed.all);
	bench_samples_init(&run_long.all);
	run_mixed.digest = g_checksum_new(G_CHECKSUM_SHA256);
	run_long.digest = g_checksum_new(G_CHECKSUM_SHA256);
	check_corpus(policy, longest, &run_long, FALSE);
	for (guint p = 0; p < passes; p++) {
		check_corpus(policy, mixed, &run_mixed, TRUE);
		check_corpus(policy, longest, &run_long, TRUE);
	}
	g_string_append_printf(json, "\"%s\": {", name);
	bench_json_add_samples(json, "mixed", &run_mixed.all);
	g_string_append(json, ", ");
	bench_json_add_samples(json, "chars2000", &run_long.all);
	g_string_append_printf(json, ", \"verdicts\": {\"allow\": %u, \"warn\": %u, "
	                       "\"block\": %u, \"findings\": %u}, \"digest\": \"%s\"}",
	                       run_mixed.allowed, run_mixed.warned, run_mixed.blocked,
	                       run_mixed.findings, g_checksum_get_string(run_mixed.digest));
	bench_samples_clear(&run_mixed.all);
	bench_samples_clear(&run_long.all);
	g_checksum_free(run_mixed.digest);
	g_checksum_free(run_long.digest);
}

int main(int argc, char **argv)
{
	char *out_dir = NULL, *policy_file = NULL, *path;
	gint64 seed = 20260321;
	int messages = 20000, long_messages = 2000, passes = 2;
	GOptionEntry entries[] = {
		{ "out-dir", 0, 0, G_OPTION_ARG_FILENAME, &out_dir, "write the corpus here", "DIR" },
		{ "policy", 0, 0, G_OPTION_ARG_FILENAME, &policy_file,
		  "also time this policy file", "FILE" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "corpus seed", "N" },
		{ "messages", 0, 0, G_OPTION_ARG_INT, &messages, "mixed-length messages", "N" },
		{ "long", 0, 0, G_OPTION_ARG_INT, &long_messages, "2,000-character messages", "N" },
		{ "passes", 0, 0, G_OPTION_ARG_INT, &passes, "timed passes over the corpus", "N" },
		{ NULL }
	};
	GOptionContext *context = g_option_context_new("- time the policy engine");
	GError *error = NULL;
	Corpus mixed, longest;
	BdmPolicy *policy;
	GString *json;

	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error) || out_dir == NULL ||
	    messages < 1 || long_messages < 1 || passes < 1) {
		fprintf(stderr, "bench_policy: %s\n",
		        error ? error->message : "--out-dir is required; counts must be positive");
		return 2;
	}
	g_option_context_free(context);

	corpus_make(&mixed, (guint64)seed, (guint)messages, 0);
	corpus_make(&longest, (guint64)seed + 1, (guint)long_messages, 2000);
	path = g_build_filename(out_dir, "corpus.txt", NULL);
	if (!corpus_write(&mixed, path, &error))
		goto fail;
	g_free(path);
	path = g_build_filename(out_dir, "corpus-2000.txt", NULL);
	if (!corpus_write(&longest, path, &error))
		goto fail;
	g_free(path);
	path = NULL;

	json = g_string_new("{");
	g_string_append_printf(json, "\"corpus\": {\"seed\": %" G_GINT64_FORMAT ", "
	                       "\"messages\": %u, \"bytes\": %" G_GUINT64_FORMAT ", "
	                       "\"long_messages\": %u, \"long_bytes\": %" G_GUINT64_FORMAT
	                       ", \"passes\": %d}, ", seed, mixed.n, mixed.bytes, longest.n,
	                       longest.bytes, passes);
	policy = bdm_policy_new_default();
	bench_policy(json, "default", policy, &mixed, &longest, (guint)passes);
	bdm_policy_free(policy);
	if (policy_file != NULL) {
		policy = bdm_policy_load(policy_file, NULL, &error);
		if (policy == NULL)
			goto fail;
		g_string_append(json, ", ");
		bench_policy(json, "example", policy, &mixed, &longest, (guint)passes);
		bdm_policy_free(policy);
	}
	g_string_append(json, "}\n");
	fputs(json->str, stdout);
	g_string_free(json, TRUE);
	g_strfreev(mixed.texts);
	g_strfreev(longest.texts);
	g_free(out_dir);
	g_free(policy_file);
	return 0;

fail:
	fprintf(stderr, "bench_policy: %s\n", error->message);
	g_error_free(error);
	g_free(path);
	return 1;
}
