/*
 * Link rules: finding links (with and without scheme, bare names, trailing
 * punctuation), and judging them: https only, the allow-list and its
 * suffix tricks, shorteners, raw IP addresses and look-alike hosts.
 */
#include "test_policy_helpers.h"

static BdmPolicy *acme;      /* allow = acme.com; acme.help */
static BdmPolicy *defaults;  /* no allow-list: no link passes */

static void test_allowed_links(void)
{
	assert_quiet(acme, "see https://acme.com/help", "links.domain");
	assert_quiet(acme, "see https://help.acme.com/x?y=1#z", "links.domain");
	assert_quiet(acme, "visit acme.com today", "links.domain");
	assert_quiet(acme, "see https://ACME.COM/Help", "links.domain");
	assert_quiet(acme, "see https://acme.com:443/x", "links.domain");
	assert_quiet(acme, "see https://acme.com./x", "links.domain");
	{
		BdmCheckInput in = reply_input("Hi! See https://acme.com/help and www.acme.help/faq.");
		BdmVerdict *v = bdm_policy_check(acme, &in);

		g_assert_cmpint(v->level, ==, BDM_VERDICT_ALLOW);
		g_assert_cmpuint(v->findings->len, ==, 0);
		bdm_verdict_free(v);
	}
}

static void test_domain_allow_list(void)
{
	/* The suffix tricks. */
	assert_fires(acme, "go to https://acme.com.evil.io/login", "links.domain",
	             "https://acme.com.evil.io/login");
	assert_fires(acme, "go to https://evilacme.com", "links.domain", "https://evilacme.com");
	assert_fires(acme, "go to https://acme.co", "links.domain", "https://acme.co");
	/* User information before '@' is not the host. */
	assert_fires(acme, "go to https://acme.com@evil.io/", "links.domain",
	             "https://acme.com@evil.io/");
	/* Bare names are links too. */
	assert_fires(acme, "visit acme-support.com now", "links.domain", "acme-support.com");
	assert_fires(acme, "visit www.evil.example/path", "links.domain",
	             "www.evil.example/path");
	/* Trailing punctuation is not part of the link. */
	assert_fires(acme, "(see https://evil.io/x).", "links.domain", "https://evil.io/x");
	assert_fires(acme, "\"https://evil.io/x\"", "links.domain", "https://evil.io/x");
	{
		BdmCheckInput in = reply_input("go to https://evil.io");
		BdmVerdict *v = bdm_policy_check(acme, &in);
		const BdmFinding *f = finding_of(v, "links.domain");

		g_assert_nonnull(f);
		g_assert_nonnull(strstr(f->explanation, "evil.io"));
		g_assert_nonnull(strstr(f->explanation, "acme.com, acme.help"));
		bdm_verdict_free(v);
	}
}

static void test_no_allow_list(void)
{
	BdmCheckInput in = reply_input("see https://acme.com/help");
	BdmVerdict *v = bdm_policy_check(defaults, &in);
	const BdmFinding *f = finding_of(v, "links.domain");

	g_assert_nonnull(f);
	g_assert_cmpint(f->severity, ==, BDM_VERDICT_BLOCK);
	g_assert_nonnull(strstr(f->explanation, "no site"));
	bdm_verdict_free(v);
}

static void test_not_links(void)
{
	const char *texts[] = {
		"e.g. this, i.e. that", "open report.pdf and notes.txt", "version 1.2.3.4",
		"Thanks.To be sure", "It is in.It works", "3.14 and 2.5", "a...b", "-.com",
		"mail john.doe@evil.com", "file:notes", NULL
	};

	for (guint i = 0; texts[i] != NULL; i++) {
		BdmCheckInput in = reply_input(texts[i]);
		BdmVerdict *v = bdm_policy_check(acme, &in);

		for (guint j = 0; j < v->findings->len; j++) {
			const BdmFinding *f = g_ptr_array_index(v->findings, j);

			if (g_str_has_prefix(f->rule_id, "links.")) {
				g_test_message("\"%s\": %s fired", texts[i], f->rule_id);
				g_test_fail();
			}
		}
		bdm_verdict_free(v);
	}
}

static void test_scheme(void)
{
	assert_fires(acme, "see http://acme.com/help", "links.scheme", "http://acme.com/help");
	assert_quiet(acme, "see http://acme.com/help", "links.domain");
	assert_fires(acme, "get ftp://files.acme.com/a.zip", "links.scheme",
	             "ftp://files.acme.com/a.zip");
	assert_fires(acme, "HTTP://ACME.COM", "links.scheme", "HTTP://ACME.COM");
	assert_quiet(acme, "see https://acme.com/help", "links.scheme");
	/* A bare name has no scheme to object to. */
	assert_quiet(acme, "visit acme.com", "links.scheme");
}

static void test_shortener(void)
{
	BdmPolicy *own = policy_from_texts("[rule links.domain]\nallow = acme.com\n"
	                                   "[rule links.shortener]\ndomains = go.acme.com; lnk.to\n",
	                                   NULL, NULL);
	BdmCheckInput in = reply_input("see https://bit.ly/3abc");
	BdmVerdict *v = bdm_policy_check(acme, &in);

	assert_fires(acme, "see https://bit.ly/3abc", "links.shortener", "https://bit.ly/3abc");
	assert_fires(acme, "see t.co/xyz", "links.shortener", "t.co/xyz");
	assert_fires(acme, "see https://www.tinyurl.com/x", "links.shortener",
	             "https://www.tinyurl.com/x");
	/* The more specific rule stands in for links.domain at equal severity. */
	g_assert_null(finding_of(v, "links.domain"));
	bdm_verdict_free(v);
	/* Not a shortener: only the end of the host counts. */
	assert_quiet(acme, "see https://bit.ly.acme.com/x", "links.shortener");
	assert_quiet(acme, "see https://notbit.ly/x", "links.shortener");
	/* A configured list replaces the default one. */
	assert_fires(own, "see https://go.acme.com/x", "links.shortener", "https://go.acme.com/x");
	assert_fires(own, "see lnk.to/x", "links.shortener", "lnk.to/x");
	assert_quiet(own, "see https://bit.ly/x", "links.shortener");
	bdm_policy_free(own);
}

static void test_domain_after_weaker_rule(void)
{
	BdmPolicy *p = policy_from_texts("[rule links.domain]\nallow = acme.com\n"
	                                 "[rule links.shortener]\nseverity = warn\n", NULL, NULL);
	BdmCheckInput in = reply_input("see https://bit.ly/3abc");
	BdmVerdict *v = bdm_policy_check(p, &in);

	/* A warning must not hide the block of the allow-list. */
	g_assert_nonnull(finding_of(v, "links.shortener"));
	g_assert_cmpint(finding_of(v, "links.shortener")->severity, ==, BDM_VERDICT_WARN);
	g_assert_nonnull(finding_of(v, "links.domain"));
	g_assert_cmpint(v->level, ==, BDM_VERDICT_BLOCK);
	bdm_verdict_free(v);
	bdm_policy_free(p);
}

static void test_ip(void)
{
	assert_fires(acme, "see http://192.168.1.10/admin", "links.ip",
	             "http://192.168.1.10/admin");
	assert_fires(acme, "see https://10.0.0.1:8443/x", "links.ip", "https://10.0.0.1:8443/x");
	assert_fires(acme, "see https://[2001:db8::1]/x", "links.ip", "https://[2001:db8::1]/x");
	assert_fires(acme, "see http://2130706433/", "links.ip", "http://2130706433/");
	assert_fires(acme, "see https://0x7f.0.0.1/", "links.ip", "https://0x7f.0.0.1/");
	assert_fires(acme, "see 10.0.0.1:8080/login", "links.ip", "10.0.0.1:8080/login");
	assert_fires(acme, "see 203.0.113.5/login", "links.ip", "203.0.113.5/login");
	/* Numbers that are not addresses in links. */
	assert_quiet(acme, "version 1.2.3.4 is out", "links.ip");
	assert_quiet(acme, "see https://1password.com", "links.ip");
	assert_quiet(acme, "see https://acme.com/10.0.0.1", "links.ip");
}

static void test_lookalike(void)
{
	BdmCheckInput in = reply_input("see https://\xd0\xb0" "cme.com/login");
	BdmVerdict *v = bdm_policy_check(acme, &in);

	/* Cyrillic а (U+0430) in a Latin name. */
	assert_fires(acme, "see https://\xd0\xb0" "cme.com/login", "links.lookalike",
	             "https://\xd0\xb0" "cme.com/login");
	g_assert_null(finding_of(v, "links.domain"));
	bdm_verdict_free(v);
	/* Bare, with a Greek ο (U+03BF). */
	assert_fires(acme, "see ac\xce\xbf" "me.com", "links.lookalike", "ac\xce\xbf" "me.com");
	assert_fires(acme, "see https://xn--80ak6aa92e.com", "links.lookalike",
	             "https://xn--80ak6aa92e.com");
	assert_fires(acme, "see https://login.xn--pypal-4ve.com/", "links.lookalike",
	             "https://login.xn--pypal-4ve.com/");
	/* Ideographic full stop (U+3002) for a dot, full-width letters. */
	assert_fires(acme, "see https://acme\xe3\x80\x82" "com/x", "links.lookalike",
	             "https://acme\xe3\x80\x82" "com/x");
	assert_fires(acme, "see https://\xef\xbd\x81" "cme.com", "links.lookalike",
	             "https://\xef\xbd\x81" "cme.com");
	/* Dotless ı (U+0131) passing for i. */
	assert_fires(acme, "see https://pa\xc4\xb1" "d.com", "links.lookalike",
	             "https://pa\xc4\xb1" "d.com");
	/* Latin with accents is not a look-alike (only not allowed). */
	assert_quiet(acme, "see https://m\xc3\xbc" "ller.de", "links.lookalike");
	assert_fires(acme, "see https://m\xc3\xbc" "ller.de", "links.domain",
	             "https://m\xc3\xbc" "ller.de");
	assert_quiet(acme, "see https://xnacme.com", "links.lookalike");
}

int main(int argc, char **argv)
{
	int status;

	policy_tests_init(&argc, &argv, "test_policy_links-XXXXXX");
	acme = policy_from_texts("[rule links.domain]\nallow = acme.com; acme.help\n", NULL, NULL);
	defaults = bdm_policy_new_default();
	g_test_add_func("/policy/links/allowed", test_allowed_links);
	g_test_add_func("/policy/links/domain_allow_list", test_domain_allow_list);
	g_test_add_func("/policy/links/no_allow_list", test_no_allow_list);
	g_test_add_func("/policy/links/not_links", test_not_links);
	g_test_add_func("/policy/links/scheme", test_scheme);
	g_test_add_func("/policy/links/shortener", test_shortener);
	g_test_add_func("/policy/links/domain_after_weaker_rule", test_domain_after_weaker_rule);
	g_test_add_func("/policy/links/ip", test_ip);
	g_test_add_func("/policy/links/lookalike", test_lookalike);
	status = policy_tests_run();
	bdm_policy_free(acme);
	bdm_policy_free(defaults);
	return status;
}
