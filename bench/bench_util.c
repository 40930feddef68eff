/*
 * Timing and percentiles for the benchmark programs (see bench_util.h).
 */
#include <time.h>

#include "bench_util.h"

gint64 bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (gint64)ts.tv_sec * G_GINT64_CONSTANT(1000000000) + ts.tv_nsec;
}

void bench_samples_init(BenchSamples *s)
{
	s->ns = g_array_sized_new(FALSE, FALSE, sizeof(gint64), 4096);
	s->total_ns = 0;
	s->bytes = 0;
}

void bench_samples_add(BenchSamples *s, gint64 ns, gsize bytes)
{
	g_array_append_val(s->ns, ns);
	s->total_ns += ns;
	s->bytes += bytes;
}

void bench_samples_add_group(BenchSamples *s, gint64 ns, guint n, gsize bytes)
{
	for (guint i = 0; i < n; i++)
		g_array_append_val(s->ns, ns);
	s->total_ns += ns;
	s->bytes += bytes;
}

static int compare_ns(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

gint64 bench_samples_percentile(BenchSamples *s, double p)
{
	guint rank;

	if (s->ns->len == 0)
		return 0;
	g_array_sort(s->ns, compare_ns);
	/* Nearest rank: the smallest sample with at least p % at or below it. */
	rank = (guint)(p / 100.0 * s->ns->len + 0.999999);
	rank = CLAMP(rank, 1u, s->ns->len);
	return g_array_index(s->ns, gint64, rank - 1);
}

void bench_samples_clear(BenchSamples *s)
{
	if (s->ns != NULL)
		g_array_free(s->ns, TRUE);
	s->ns = NULL;
	s->total_ns = 0;
	s->bytes = 0;
}

void bench_json_add_samples(GString *json, const char *name, BenchSamples *s)
{
	double seconds = s->total_ns / 1e9;
	guint n = s->ns->len;

	g_string_append_printf(json,
	                       "\"%s\": {\"count\": %u, \"seconds\": %.6f, \"per_s\": %.1f, "
	                       "\"mb_per_s\": %.3f, \"p50_ms\": %.6f, \"p99_ms\": %.6f, "
	                       "\"max_ms\": %.6f}",
	                       name, n, seconds, seconds > 0 ? n / seconds : 0.0,
	                       seconds > 0 ? s->bytes / 1e6 / seconds : 0.0,
	                       bench_samples_percentile(s, 50) / 1e6,
	                       bench_samples_percentile(s, 99) / 1e6,
	                       bench_samples_percentile(s, 100) / 1e6);
}
