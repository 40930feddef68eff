/*
 * Language rules: offensive words with their disguises and without
 * Scunthorpe-style false alarms, a configured word list, and shouting
 * around its thresholds.
 */
#include "test_policy_helpers.h"

static BdmPolicy *defaults;

static void test_offensive_words(void)
{
	assert_fires(defaults, "what the fuck", "language.offensive", "fuck");
	assert_fires(defaults, "WHAT THE FUCK", "language.offensive", "FUCK");
	assert_fires(defaults, "you idiot!", "language.offensive", "idiot");
	/* Endings of a word marked with '*' in the list. */
	assert_fires(defaults, "fucking hell", "language.offensive", "fucking");
	assert_fires(defaults, "such bullshit.", "language.offensive", "bullshit");
	/* Whole words only: no false alarms inside other words. */
	assert_quiet(defaults, "first class assistance from our assistant", "language.offensive");
	assert_quiet(defaults, "Scunthorpe and Penistone", "language.offensive");
	assert_quiet(defaults, "assess the bass, pass the classic cocktail", "language.offensive");
	assert_quiet(defaults, "scrap the shiitake, Dickens and Cockburn", "language.offensive");
	assert_quiet(defaults, "as soon as possible", "language.offensive");
	/* A word configured without '*' takes no endings. */
	assert_quiet(defaults, "crappy", "language.offensive");
}

static void test_offensive_disguises(void)
{
	assert_fires(defaults, "f*ck off", "language.offensive", "f*ck");
	assert_fires(defaults, "f**k off", "language.offensive", "f**k");
	assert_fires(defaults, "sh*t", "language.offensive", "sh*t");
	assert_fires(defaults, "fuuuuck", "language.offensive", "fuuuuck");
	assert_fires(defaults, "a$$", "language.offensive", "a$$");
	assert_fires(defaults, "@ss", "language.offensive", "@ss");
	assert_fires(defaults, "sh1t", "language.offensive", "sh1t");
	assert_fires(defaults, "$h!t happens", "language.offensive", "$h!t");
	assert_fires(defaults, "it happens, 5h17", "language.offensive", "5h17");
	assert_fires(defaults, "b1tch", "language.offensive", "b1tch");
	assert_fires(defaults, "1d10t", "language.offensive", "1d10t");
	assert_fires(defaults, "st00pid? no: stup1d", "language.offensive", "stup1d");
	assert_fires(defaults, "f.u.c.k you", "language.offensive", "f.u.c.k");
	assert_fires(defaults, "F U C K you", "language.offensive", "F U C K");
	assert_fires(defaults, "f-u-c-k", "language.offensive", "f-u-c-k");
	assert_fires(defaults, "*fuck*", "language.offensive", "fuck");
	/* Near misses of the disguises. */
	assert_quiet(defaults, "we have 455 items", "language.offensive");   /* no letter */
	assert_quiet(defaults, "rated ****", "language.offensive");           /* only stars */
	assert_quiet(defaults, "f**** the stars", "language.offensive");      /* mostly stars */
	assert_quiet(defaults, "*s* marks", "language.offensive");
	assert_quiet(defaults, "a.s.a.p", "language.offensive");
	assert_quiet(defaults, "f.u.n.k", "language.offensive");
	assert_quiet(defaults, "f. u. c. k.", "language.offensive");          /* two-char gaps */
	/* From monthly-basis/content-moderation's tests (tests/policy_corpus/). */
	assert_fires(defaults, "s*h*i.t!", "language.offensive", "s*h*i.t");
	assert_fires(defaults, "f-u-c----k", "language.offensive", "f-u-c----k");
	assert_fires(defaults, "c__unt", "language.offensive", "c__unt");
	assert_fires(defaults, "f.ck", "language.offensive", "f.ck");
	assert_fires(defaults, "a ss", "language.offensive", "a ss");
	assert_fires(defaults, "d!#k", "language.offensive", "d!#k");
	assert_fires(defaults, "b\xc3\xac""t\xc3\xa7h", "language.offensive", NULL);
	assert_fires(defaults, "a**", "language.offensive", "a**");
	assert_quiet(defaults, "as S", "language.offensive");
	assert_quiet(defaults, "area** applies", "language.offensive");
	assert_quiet(defaults, "shitake, shitakemushrooms.com and Bitche", "language.offensive");
	/* A reply cut off by a length limit in the middle of "assist". */
	assert_quiet(defaults, "Thanks for waiting, as we ass... https://t.co/x", "language.offensive");
}

static void test_offensive_configured(void)
{
	BdmPolicy *p = policy_from_texts("[rule language.offensive]\nseverity = block\n"
	                                 "words = darn; heck*\n", NULL, NULL);

	assert_fires(p, "darn it", "language.offensive", "darn");
	assert_fires(p, "what the hecking", "language.offensive", "hecking");
	assert_quiet(p, "darned", "language.offensive");
	/* The configured list replaces the default one. */
	assert_quiet(p, "fuck", "language.offensive");
	{
		BdmCheckInput in = reply_input("darn");
		BdmVerdict *v = bdm_policy_check(p, &in);

		g_assert_cmpint(v->level, ==, BDM_VERDICT_BLOCK);
		bdm_verdict_free(v);
	}
	bdm_policy_free(p);
}

static void test_shouting(void)
{
	BdmPolicy *p = policy_from_texts("[rule language.shouting]\nmin_letters = 5\npercent = 50\n",
	                                 NULL, NULL);
	BdmCheckInput in = reply_input("THIS IS NOT ACCEPTABLE AT ALL!!");
	BdmVerdict *v = bdm_policy_check(defaults, &in);
	const BdmFinding *f = finding_of(v, "language.shouting");

	g_assert_nonnull(f);
	g_assert_cmpuint(f->start, ==, 0);
	g_assert_cmpuint(f->end, ==, 0);
	g_assert_cmpint(f->severity, ==, BDM_VERDICT_WARN);
	g_assert_nonnull(strstr(f->explanation, "24 of the 24"));
	bdm_verdict_free(v);
	/* 20 letters, all capitals: fires; 19: too short to judge. */
	assert_fires(defaults, "ABCDEFGHIJ KLMNOPQRST", "language.shouting", NULL);
	assert_quiet(defaults, "ABCDEFGHIJ KLMNOPQRS", "language.shouting");
	/* 70 % of 20 fires, 65 % does not. */
	assert_fires(defaults, "ABCDEFGHIJKLMN abcdef", "language.shouting", NULL);
	assert_quiet(defaults, "ABCDEFGHIJKLM abcdefg", "language.shouting");
	/* Letters without case do not count; neither do secrets and links. */
	assert_quiet(defaults, "OK \xe4\xbd\xa0\xe5\xa5\xbd\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xbd\xa0"
	                       "\xe5\xa5\xbd\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xbd\xa0\xe5\xa5\xbd"
	                       "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xbd\xa0"
	                       "\xe5\xa5\xbd\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xbd\xa0\xe5\xa5\xbd",
	             "language.shouting");
	assert_quiet(defaults, "the key is AKIAIOSFODNN7EXAMPLE ok", "language.shouting");
	/* Accented capitals are capitals. */
	assert_fires(defaults, "\xc3\x89TAIT INACCEPTABLE VRAIMENT", "language.shouting", NULL);
	/* Configured thresholds. */
	assert_fires(p, "HELLo", "language.shouting", NULL);
	assert_quiet(p, "HELL", "language.shouting");
	assert_quiet(p, "HElloo", "language.shouting");
	bdm_policy_free(p);
}

int main(int argc, char **argv)
{
	int status;

	policy_tests_init(&argc, &argv, "test_policy_language-XXXXXX");
	defaults = bdm_policy_new_default();
	g_test_add_func("/policy/language/offensive_words", test_offensive_words);
	g_test_add_func("/policy/language/offensive_disguises", test_offensive_disguises);
	g_test_add_func("/policy/language/offensive_configured", test_offensive_configured);
	g_test_add_func("/policy/language/shouting", test_shouting);
	status = policy_tests_run();
	bdm_policy_free(defaults);
	return status;
}
