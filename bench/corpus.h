/*
 * A corpus of realistic customer-service direct messages for the policy
 * benchmark, generated from a seed so that every run and every machine
 * checks exactly the same text: plain sentences (some German and French,
 * the odd emoji) mixed with what the policy looks for: card numbers, IBANs,
 * links, e-mail addresses, phone numbers, offensive and promotional words.
 * Plain C + GLib.
 */
#ifndef BRANDDM_BENCH_CORPUS_H
#define BRANDDM_BENCH_CORPUS_H

#include <glib.h>

/** A small, fast, seedable generator (xorshift64*): GRand's sequence is
 *  not promised to stay the same across GLib versions, this one is. */
typedef struct {
	guint64 state;
} BenchRng;

/** Seed the generator; any seed, 0 included, gives a usable sequence.
 *  The same seed always gives the same corpus. */
void bench_rng_seed(BenchRng *rng, guint64 seed);

/** A number in [0, n); n must not be 0.
 *  Slightly biased for huge n, which does not matter here. */
guint32 bench_rng_below(BenchRng *rng, guint32 n);

/** A message length in characters between 1 and 2,000, distributed the
 *  way DMs are: mostly short, a long tail up to the Messenger limit. */
guint bench_corpus_length(BenchRng *rng);

/** One message of exactly chars characters (UTF-8, no line breaks, so a
 *  corpus file has one message per line); g_free it. */
char *bench_corpus_message(BenchRng *rng, guint chars);

#endif /* BRANDDM_BENCH_CORPUS_H */
