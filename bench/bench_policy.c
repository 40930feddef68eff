/*
 * bench_policy: how fast bdm_policy_check() is on a corpus of realistic
 * DMs, with the built-in policy and with a policy file, timed per call.
 *
 *   bench_policy --out-dir DIR [--policy FILE] [--seed N] [--messages N]
 *                [--long N] [--rounds N]
 *
 * Writes the corpus to DIR/corpus.txt (mixed lengths, one message a line)
 * and DIR/corpus-2000.txt (every message exactly 2,000 characters, the
 * Messenger limit), so bench/run-bench can run the grep baseline over the
 * very same text, then prints one JSON object with the timings: "default"
 * for the built-in policy, "file" for --policy.  The findings digest
 * changes only when some verdict changes: it is how an optimisation shows
 * that it kept the engine's behaviour.
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

/* Counts of one pass over the mixed corpus: the digest proves that a
 * change to the engine kept every verdict. */
typedef struct {
	guint allowed, warned, blocked, findings;
	GChecksum *digest;
} Verdicts;

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

/* One timed call per message into ns[i] (when ns is not NULL); every
 * 20th message is an automated reply, so the disclosure phrases are looked
 * for too.  verdicts may be NULL. */
static void check_corpus(const BdmPolicy *policy, const Corpus *c, gint64 *ns,
                         Verdicts *verdicts)
{
	for (guint i = 0; i < c->n; i++) {
		BdmCheckInput in = { 0 };
		BdmVerdict *v;
		gint64 start;

		in.text = c->texts[i];
		in.platform = "facebook";
		in.account = "1000123";
		in.agent = "alice";
		in.customer_has_written = TRUE;
		in.automated = i % 20 == 0;
		in.text_limit = 2000;
		start = bench_now_ns();
		v = bdm_policy_check(policy, &in);
		if (ns != NULL)
			ns[i] = bench_now_ns() - start;
		if (verdicts != NULL) {
			verdicts->findings += v->findings->len;
			if (v->level == BDM_VERDICT_BLOCK)
				verdicts->blocked++;
			else if (v->level == BDM_VERDICT_WARN)
				verdicts->warned++;
			else
				verdicts->allowed++;
			digest_verdict(verdicts->digest, v);
		}
		bdm_verdict_free(v);
	}
}

/* Several rounds over one corpus.  A message's latency is the least of its
 * rounds: on a shared machine another process preempts some calls, and a
 * 2 ms time slice then lands in one round's tail, never in all of them;
 * what is left is what the engine costs for that text.  The raw figures
 * (every call of every round) are reported next to it, and throughput is
 * that of the fastest round, as for the baselines (best of runs). */
static void time_rounds(GString *json, const char *name, const BdmPolicy *policy,
                        const Corpus *c, guint rounds, Verdicts *verdicts)
{
	gint64 *ns = g_new(gint64, c->n), *least = g_new(gint64, c->n);
	BenchSamples per_message, raw;
	gint64 fastest = G_MAXINT64;

	bench_samples_init(&per_message);
	bench_samples_init(&raw);
	for (guint r = 0; r < rounds; r++) {
		gint64 total = 0;

		check_corpus(policy, c, ns, r == 0 ? verdicts : NULL);
		for (guint i = 0; i < c->n; i++) {
			least[i] = r == 0 ? ns[i] : MIN(least[i], ns[i]);
			total += ns[i];
			bench_samples_add(&raw, ns[i], 0);
		}
		fastest = MIN(fastest, total);
	}
	for (guint i = 0; i < c->n; i++)
		bench_samples_add(&per_message, least[i], 0);
	g_string_append_printf(json, "\"%s\": {\"count\": %u, \"rounds\": %u, "
	                       "\"seconds\": %.6f, \"per_s\": %.1f, \"mb_per_s\": %.3f, "
	                       "\"p50_ms\": %.6f, \"p99_ms\": %.6f, \"max_ms\": %.6f, "
	                       "\"raw_p50_ms\": %.6f, \"raw_p99_ms\": %.6f, "
	                       "\"raw_max_ms\": %.6f}",
	                       name, c->n, rounds, fastest / 1e9, c->n / (fastest / 1e9),
	                       c->bytes / 1e6 / (fastest / 1e9),
	                       bench_samples_percentile(&per_message, 50) / 1e6,
	                       bench_samples_percentile(&per_message, 99) / 1e6,
	                       bench_samples_percentile(&per_message, 100) / 1e6,
	                       bench_samples_percentile(&raw, 50) / 1e6,
	                       bench_samples_percentile(&raw, 99) / 1e6,
	                       bench_samples_percentile(&raw, 100) / 1e6);
	bench_samples_clear(&per_message);
	bench_samples_clear(&raw);
	g_free(ns);
	g_free(least);
}

/* A warm-up pass (caches, page faults, lazily loaded translations), then
 * the timed rounds. */
static void bench_policy(GString *json, const char *name, const BdmPolicy *policy,
                         const Corpus *mixed, const Corpus *longest, guint rounds)
{
	Verdicts verdicts = { 0 };

	verdicts.digest = g_checksum_new(G_CHECKSUM_SHA256);
	check_corpus(policy, longest, NULL, NULL);
	g_string_append_printf(json, "\"%s\": {", name);
	time_rounds(json, "mixed", policy, mixed, rounds, &verdicts);
	g_string_append(json, ", ");
	time_rounds(json, "chars2000", policy, longest, rounds, NULL);
	g_string_append_printf(json, ", \"verdicts\": {\"allow\": %u, \"warn\": %u, "
	                       "\"block\": %u, \"findings\": %u}, \"digest\": \"%s\"}",
	                       verdicts.allowed, verdicts.warned, verdicts.blocked,
	                       verdicts.findings, g_checksum_get_string(verdicts.digest));
	g_checksum_free(verdicts.digest);
}

int main(int argc, char **argv)
{
	char *out_dir = NULL, *policy_file = NULL, *path;
	gint64 seed = 20260321;
	int messages = 20000, long_messages = 2000, rounds = 5;
	GOptionEntry entries[] = {
		{ "out-dir", 0, 0, G_OPTION_ARG_FILENAME, &out_dir, "write the corpus here", "DIR" },
		{ "policy", 0, 0, G_OPTION_ARG_FILENAME, &policy_file,
		  "also time this policy file", "FILE" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "corpus seed", "N" },
		{ "messages", 0, 0, G_OPTION_ARG_INT, &messages, "mixed-length messages", "N" },
		{ "long", 0, 0, G_OPTION_ARG_INT, &long_messages, "2,000-character messages", "N" },
		{ "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "timed rounds over each corpus", "N" },
		{ NULL }
	};
	GOptionContext *context = g_option_context_new("- time the policy engine");
	GError *error = NULL;
	Corpus mixed, longest;
	BdmPolicy *policy;
	GString *json;

	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error) || out_dir == NULL ||
	    messages < 1 || long_messages < 1 || rounds < 1) {
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
	                       ", \"rounds\": %d}, ", seed, mixed.n, mixed.bytes, longest.n,
	                       longest.bytes, rounds);
	policy = bdm_policy_new_default();
	bench_policy(json, "default", policy, &mixed, &longest, (guint)rounds);
	bdm_policy_free(policy);
	if (policy_file != NULL) {
		/* bdm_policy_load() takes a missing file for "no settings": here
		 * that would time the defaults twice under the file's name. */
		if (!g_file_test(policy_file, G_FILE_TEST_IS_REGULAR)) {
			g_set_error(&error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
			            "%s: no such policy file", policy_file);
			goto fail;
		}
		policy = bdm_policy_load(policy_file, NULL, &error);
		if (policy == NULL)
			goto fail;
		g_string_append(json, ", ");
		bench_policy(json, "file", policy, &mixed, &longest, (guint)rounds);
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
