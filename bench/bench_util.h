/*
 * What the C benchmark programs share: a monotonic clock in nanoseconds,
 * percentiles over per-call samples, and JSON output of the results that
 * bench/run-bench reads.  Plain C + GLib.
 */
#ifndef BRANDDM_BENCH_UTIL_H
#define BRANDDM_BENCH_UTIL_H

#include <glib.h>

/** CLOCK_MONOTONIC in nanoseconds.
 *  Only differences mean anything. */
gint64 bench_now_ns(void);

/** Per-call samples in nanoseconds, kept so that percentiles are exact
 *  rather than estimated from buckets. */
typedef struct {
	GArray *ns;        /* gint64 */
	gint64 total_ns;
	guint64 bytes;     /* input bytes the calls processed, for MB/s */
} BenchSamples;

/** Start an empty sample set.
 *  Release with bench_samples_clear(). */
void bench_samples_init(BenchSamples *s);

/** Record one call that took ns and processed bytes of input.
 *  Keeps insertion order until the first percentile is asked for. */
void bench_samples_add(BenchSamples *s, gint64 ns, gsize bytes);

/** n calls that finished together after ns (a batch committed at once):
 *  each gets ns as its latency, and ns counts once towards the total. */
void bench_samples_add_group(BenchSamples *s, gint64 ns, guint n, gsize bytes);

/** The p-th percentile (0 < p <= 100, nearest rank) in nanoseconds;
 *  0 for an empty set.  Sorts the samples in place. */
gint64 bench_samples_percentile(BenchSamples *s, double p);

/** Free the samples and zero s.
 *  Safe to call twice. */
void bench_samples_clear(BenchSamples *s);

/** Append "name": {count, per_s, mb_per_s, p50_ms, p99_ms, max_ms} to a JSON
 *  object being built, for one sample set. */
void bench_json_add_samples(GString *json, const char *name, BenchSamples *s);

#endif /* BRANDDM_BENCH_UTIL_H */
