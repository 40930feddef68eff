/*
 * The policy engine measured against other people's data: the corpus in
 * tests/policy_corpus/ (one file a category, every line with its source)
 * run through bdm_policy_check() with the built-in policy.  Shared by the
 * unit test that holds the targets (tests/unit/test_policy_corpus.c) and by
 * bench_accuracy, which prints precision and recall for `make bench`.
 */
#ifndef BRANDDM_POLICY_ACCURACY_H
#define BRANDDM_POLICY_ACCURACY_H

#include <glib.h>

/** What one category file scored.  hit lines count as true positives or
 *  misses (fn), miss lines as false positives or true negatives. */
typedef struct {
	char *category;          /* the file name without ".tsv" */
	guint tp, fn, fp, tn;    /* hit and miss lines */
	guint clean_ok, clean_bad;
	guint oos, oos_found;    /* out-of-scope positives, and how many were found anyway */
	GPtrArray *failures;     /* char*: "expect rule: text", one per failed line */
} BdmCorpusScore;

/** Run every *.tsv file of dir through the built-in policy, in name order.
 *  NULL and an error when a file cannot be read or a line is malformed. */
GPtrArray *bdm_corpus_run(const char *dir, GError **error);

/** Precision of a score, tp / (tp + fp); 1 when nothing was found.
 *  A category without miss lines measures recall only. */
double bdm_corpus_precision(const BdmCorpusScore *s);

/** Recall of a score, tp / (tp + fn); 1 when it has no hit lines.
 *  oos lines never count. */
double bdm_corpus_recall(const BdmCorpusScore *s);

/** Release a score; usable as the free function of the array.
 *  NULL is allowed. */
void bdm_corpus_score_free(gpointer score);

#endif /* BRANDDM_POLICY_ACCURACY_H */
