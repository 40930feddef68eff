/*
 * Running the policy corpus (see policy_accuracy.h).  A line is
 *   expect <TAB> rule <TAB> text <TAB> source
 * with expect one of hit, miss, oos and clean; in text, \n, \t and \\ are
 * a line break, a tab and a backslash.  Lines starting with '#' are
 * comments.
 *
 * The built-in policy is the one measured, with one change: the link rules
 * are off, because with no allow-list they block every link by design, and
 * which sites are the brand's own is the administrator's to say.  The
 * customer has written first, and the message is an agent's, not automated.
 */
#include <string.h>

#include "policy.h"
#include "policy_accuracy.h"
#include "policy_private.h"

static const char *const link_rules[] = {
	"links.scheme", "links.domain", "links.shortener", "links.ip", "links.lookalike"
};

static char *unescape(const char *s)
{
	GString *out = g_string_new(NULL);

	for (; *s != '\0'; s++) {
		if (*s != '\\' || s[1] == '\0') {
			g_string_append_c(out, *s);
			continue;
		}
		s++;
		g_string_append_c(out, *s == 'n' ? '\n' : *s == 't' ? '\t' : *s == 'r' ? '\r' : *s);
	}
	return g_string_free(out, FALSE);
}

static gboolean fired(const BdmVerdict *v, const char *rule)
{
	for (guint i = 0; i < v->findings->len; i++) {
		const BdmFinding *f = g_ptr_array_index(v->findings, i);

		if (strcmp(f->rule_id, rule) == 0)
			return TRUE;
	}
	return FALSE;
}

/* clean: nothing blocks, and none of the comma-separated rules fires. */
static gboolean is_clean(const BdmVerdict *v, const char *rules)
{
	char **names = g_strsplit(rules, ",", -1);
	gboolean clean = TRUE;

	for (guint i = 0; i < v->findings->len && clean; i++) {
		const BdmFinding *f = g_ptr_array_index(v->findings, i);

		clean = f->severity != BDM_VERDICT_BLOCK;
	}
	for (guint i = 0; names[i] != NULL && clean; i++)
		clean = !fired(v, names[i]);
	g_strfreev(names);
	return clean;
}

static void failure(BdmCorpusScore *s, const char *expect, const char *rule, const char *text)
{
	g_ptr_array_add(s->failures, g_strdup_printf("%s %s: %s", expect, rule, text));
}

static gboolean score_line(BdmCorpusScore *s, const BdmPolicy *policy, char **cols,
                           const char *file, guint line, GError **error)
{
	BdmCheckInput in = { 0 };
	BdmVerdict *v;
	char *text = unescape(cols[2]);
	const char *expect = cols[0], *rule = cols[1];
	BdmRule known;
	gboolean ok = TRUE;

	in.text = text;
	in.platform = "facebook";
	in.account = "1000123";
	in.agent = "alice";
	in.customer_has_written = TRUE;
	v = bdm_policy_check(policy, &in);
	if (strcmp(expect, "clean") == 0) {
		if (is_clean(v, rule)) {
			s->clean_ok++;
		} else {
			s->clean_bad++;
			failure(s, expect, rule, text);
		}
	} else if (!bdm_rule_from_id(rule, &known)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: no rule \"%s\"",
		            file, line, rule);
		ok = FALSE;
	} else if (strcmp(expect, "hit") == 0) {
		if (fired(v, rule)) {
			s->tp++;
		} else {
			s->fn++;
			failure(s, expect, rule, text);
		}
	} else if (strcmp(expect, "miss") == 0) {
		if (fired(v, rule)) {
			s->fp++;
			failure(s, expect, rule, text);
		} else {
			s->tn++;
		}
	} else if (strcmp(expect, "oos") == 0) {
		s->oos++;
		s->oos_found += fired(v, rule) ? 1 : 0;
	} else {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: unknown expectation \"%s\"",
		            file, line, expect);
		ok = FALSE;
	}
	bdm_verdict_free(v);
	g_free(text);
	return ok;
}

static BdmCorpusScore *run_file(const BdmPolicy *policy, const char *dir, const char *name,
                                GError **error)
{
	char *path = g_build_filename(dir, name, NULL), *contents = NULL;
	BdmCorpusScore *s = NULL;
	char **lines = NULL;

	if (!g_file_get_contents(path, &contents, NULL, error))
		goto out;
	s = g_new0(BdmCorpusScore, 1);
	s->category = g_strndup(name, strlen(name) - strlen(".tsv"));
	s->failures = g_ptr_array_new_with_free_func(g_free);
	lines = g_strsplit(contents, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		char **cols;
		gboolean ok;

		if (lines[i][0] == '\0' || lines[i][0] == '#')
			continue;
		cols = g_strsplit(lines[i], "\t", 5);
		if (g_strv_length(cols) != 4) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			            "%s:%u: not four tab-separated columns", path, i + 1);
			ok = FALSE;
		} else {
			ok = score_line(s, policy, cols, path, i + 1, error);
		}
		g_strfreev(cols);
		if (!ok) {
			bdm_corpus_score_free(s);
			s = NULL;
			break;
		}
	}
out:
	g_strfreev(lines);
	g_free(contents);
	g_free(path);
	return s;
}

static int compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static BdmPolicy *measured_policy(void)
{
	BdmPolicy *p = bdm_policy_new_uncompiled();

	for (guint i = 0; i < G_N_ELEMENTS(link_rules); i++) {
		BdmRule rule;

		if (bdm_rule_from_id(link_rules[i], &rule))
			p->severity[rule] = BDM_VERDICT_ALLOW;
	}
	bdm_policy_compile(p);
	return p;
}

GPtrArray *bdm_corpus_run(const char *dir, GError **error)
{
	GPtrArray *scores = g_ptr_array_new_with_free_func(bdm_corpus_score_free);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GDir *d = g_dir_open(dir, 0, error);
	BdmPolicy *policy;
	const char *name;

	if (d == NULL) {
		g_ptr_array_unref(scores);
		g_ptr_array_unref(names);
		return NULL;
	}
	while ((name = g_dir_read_name(d)) != NULL) {
		if (g_str_has_suffix(name, ".tsv"))
			g_ptr_array_add(names, g_strdup(name));
	}
	g_dir_close(d);
	g_ptr_array_sort(names, compare_names);
	policy = measured_policy();
	for (guint i = 0; i < names->len; i++) {
		BdmCorpusScore *s = run_file(policy, dir, g_ptr_array_index(names, i), error);

		if (s == NULL) {
			g_ptr_array_unref(scores);
			scores = NULL;
			break;
		}
		g_ptr_array_add(scores, s);
	}
	bdm_policy_free(policy);
	g_ptr_array_unref(names);
	return scores;
}

double bdm_corpus_precision(const BdmCorpusScore *s)
{
	return s->tp + s->fp == 0 ? 1.0 : (double)s->tp / (s->tp + s->fp);
}

double bdm_corpus_recall(const BdmCorpusScore *s)
{
	return s->tp + s->fn == 0 ? 1.0 : (double)s->tp / (s->tp + s->fn);
}

void bdm_corpus_score_free(gpointer score)
{
	BdmCorpusScore *s = score;

	if (s == NULL)
		return;
	g_free(s->category);
	g_ptr_array_unref(s->failures);
	g_free(s);
}
