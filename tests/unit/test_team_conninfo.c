/*
 * bdm_team_conninfo_redact (plugin/core/team_schema.c): a connection string
 * shown in a message keeps everything but its secrets, in keyword form and
 * in URI form, however the password is quoted, escaped or encoded; an
 * unparsable string is never echoed, since libpq could not tell us where
 * its password is.  Every result is also checked with libpq itself: parsed
 * again, it must hold no password but the mask.
 */
#include <string.h>

#include <glib.h>

#include "team_schema.h"

#define SECRET "S3cretPW!"
#define UNPARSABLE "(unparsable connection string)"

typedef struct {
	const char *conninfo;
	const char *shown;
} Case;

/* libpq's own view of text: NULL when it holds no password or sslpassword
 * but "***", else the offending value (g_free it). */
static char *secret_seen_by_libpq(const char *text)
{
	PQconninfoOption *options, *o;
	char *errmsg = NULL, *found = NULL;

	options = PQconninfoParse(text, &errmsg);
	PQfreemem(errmsg);
	g_assert_nonnull(options);
	for (o = options; o->keyword; o++)
		if (o->val && (strcmp(o->keyword, "password") == 0 ||
		               strcmp(o->keyword, "sslpassword") == 0) &&
		    strcmp(o->val, "***") != 0 && !found)
			found = g_strdup(o->val);
	PQconninfoFree(options);
	return found;
}

static void check_cases(const Case *cases, gsize n)
{
	gsize i;

	for (i = 0; i < n; i++) {
		char *shown = bdm_team_conninfo_redact(cases[i].conninfo);
		char *seen;

		if (g_strcmp0(shown, cases[i].shown) != 0)
			g_error("redact(%s) gave %s, expected %s", cases[i].conninfo, shown,
			        cases[i].shown);
		g_assert_null(strstr(shown, SECRET));
		g_assert_null(strstr(shown, "secret"));
		g_assert_null(strstr(shown, "S3cret"));
		if (strcmp(shown, UNPARSABLE) != 0) {
			seen = secret_seen_by_libpq(shown);
			if (seen)
				g_error("redact(%s) gave %s, where libpq still finds %s",
				        cases[i].conninfo, shown, seen);
		}
		g_free(shown);
	}
}

static void test_keyword_form(void)
{
	static const Case cases[] = {
		{ "host=/tmp dbname=team user=ada password=" SECRET,
		  "host=/tmp dbname=team user=ada password=***" },
		{ "password=" SECRET " host=db.example.com", "password=*** host=db.example.com" },
		/* white space around '=' */
		{ "host=h password = " SECRET "  port=5432", "host=h password = ***  port=5432" },
		{ "host=h\tpassword=\t" SECRET "\n", "host=h\tpassword=\t***\n" },
		/* quoted, with spaces, escaped quotes and backslashes */
		{ "host=h password='S3cret PW! and more'", "host=h password=***" },
		{ "password='it\\'s secret' user=u", "password=*** user=u" },
		{ "password='back\\\\slash secret' user=u", "password=*** user=u" },
		{ "password='' user=u", "password=*** user=u" },
		/* an unquoted value with an escaped space runs on */
		{ "password=a\\ secret host=h", "password=*** host=h" },
		/* the client key's passphrase is a secret too */
		{ "host=h sslpassword=" SECRET " sslmode=require",
		  "host=h sslpassword=*** sslmode=require" },
		/* given twice: both go */
		{ "password=secret1 password=" SECRET, "password=*** password=***" },
		/* "password=" inside another value is not a password */
		{ "application_name='password=x' password=" SECRET,
		  "application_name='password=x' password=***" },
		{ "user=password dbname=password", "user=password dbname=password" },
		/* nothing secret: unchanged, quoting and all */
		{ "host=/run/postgresql dbname='my db'", "host=/run/postgresql dbname='my db'" },
		{ "", "" },
		{ "   ", "   " },
	};

	check_cases(cases, G_N_ELEMENTS(cases));
}

static void test_uri_form(void)
{
	static const Case cases[] = {
		{ "postgresql://ada:" SECRET "@db.example.com/team",
		  "postgresql://ada:***@db.example.com/team" },
		{ "postgres://ada:secret@db.example.com:5433/team?sslmode=require",
		  "postgres://ada:***@db.example.com:5433/team?sslmode=require" },
		/* percent-encoded, and empty user */
		{ "postgresql://ada:S3cret%40PW%21@h/d", "postgresql://ada:***@h/d" },
		{ "postgresql://:secret@h/d", "postgresql://:***@h/d" },
		/* in the query, under its name encoded or not */
		{ "postgresql://h/d?password=" SECRET, "postgresql://h/d?password=***" },
		{ "postgresql://h/d?sslmode=disable&password=secret&connect_timeout=5",
		  "postgresql://h/d?sslmode=disable&password=***&connect_timeout=5" },
		{ "postgresql://h/d?pass%77ord=secret", "postgresql://h/d?pass%77ord=***" },
		{ "postgresql://h/d?sslpassword=secret", "postgresql://h/d?sslpassword=***" },
		/* both places */
		{ "postgresql://u:secret@h/d?password=" SECRET, "postgresql://u:***@h/d?password=***" },
		/* several hosts, a unix socket directory */
		{ "postgresql://u:secret@h1:5432,h2:5433/d", "postgresql://u:***@h1:5432,h2:5433/d" },
		{ "postgresql://u:secret@%2Fvar%2Frun%2Fpostgresql/d",
		  "postgresql://u:***@%2Fvar%2Frun%2Fpostgresql/d" },
		{ "postgresql:///d?host=/tmp&password=secret", "postgresql:///d?host=/tmp&password=***" },
		/* no password: unchanged */
		{ "postgresql://ada@h/d", "postgresql://ada@h/d" },
		{ "postgresql://h/d?application_name=a%40b", "postgresql://h/d?application_name=a%40b" },
		{ "postgresql://", "postgresql://" },
	};

	check_cases(cases, G_N_ELEMENTS(cases));
}

static void test_unparsable(void)
{
	static const Case cases[] = {
		/* libpq's own message would quote these, password and all */
		{ "host=/tmp password='" SECRET, UNPARSABLE },
		{ "host=/tmp " SECRET, UNPARSABLE },
		{ SECRET, UNPARSABLE },
		{ "host=h nosuchoption=secret", UNPARSABLE },
		{ "PASSWORD=secret", UNPARSABLE },
		{ "password", UNPARSABLE },
		{ "postgresql://u:secret@h/d?password", UNPARSABLE },
		{ "postgresql://u:secret@h/d?nosuchoption=1", UNPARSABLE },
		{ "postgresql://h/d?password=secret%zz", UNPARSABLE },
	};

	check_cases(cases, G_N_ELEMENTS(cases));
}

static void test_null(void)
{
	char *shown = bdm_team_conninfo_redact(NULL);

	g_assert_cmpstr(shown, ==, "");
	g_free(shown);
}

/* Notification payloads (team_schema.h): the customer id is the rest of the
 * first line, whatever it holds; anything else is refused. */
static void test_notice(void)
{
	static const char *const refused[] = {
		"", "conversation", "conversation:facebook", "conversation:facebook/1000",
		"conversation:facebook/1000/", ":facebook/1000/5", "conversation:/1000/5",
		"conversation:facebook//5", "typing:facebook/1000/\nAlice", "a:b\nc/d/e",
		NULL
	};
	BdmTeamNotice n;
	guint i;

	g_assert_true(bdm_team_notice_parse("conversation:facebook/1000/5001", &n));
	g_assert_cmpstr(n.kind, ==, "conversation");
	g_assert_cmpstr(n.platform, ==, "facebook");
	g_assert_cmpstr(n.account, ==, "1000");
	g_assert_cmpstr(n.customer, ==, "5001");
	g_assert_null(n.more);
	bdm_team_notice_clear(&n);
	g_assert_true(bdm_team_notice_parse("message:x/2000/a/b/c", &n));
	g_assert_cmpstr(n.customer, ==, "a/b/c");
	bdm_team_notice_clear(&n);
	g_assert_true(bdm_team_notice_parse("sending:facebook/1000/5001\nAlice Martin\n1\nab", &n));
	g_assert_cmpstr(n.customer, ==, "5001");
	g_assert_cmpstr(n.more, ==, "Alice Martin\n1\nab");
	bdm_team_notice_clear(&n);
	for (i = 0; refused[i] != NULL; i++) {
		if (bdm_team_notice_parse(refused[i], &n))
			g_error("\"%s\" was taken apart", refused[i]);
		g_assert_null(n.kind);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/team_conninfo/keyword_form", test_keyword_form);
	g_test_add_func("/team_conninfo/uri_form", test_uri_form);
	g_test_add_func("/team_conninfo/unparsable", test_unparsable);
	g_test_add_func("/team_conninfo/null", test_null);
	g_test_add_func("/team_conninfo/notice", test_notice);
	return g_test_run();
}
