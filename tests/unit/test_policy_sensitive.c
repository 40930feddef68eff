/*
 * Sensitive data: payment cards, IBANs, SSNs, secrets, third-party e-mail
 * addresses and phone numbers.  Every rule has examples that must fire, on
 * exactly the right part of the text, and near misses that must not.
 */
#include "test_policy_helpers.h"

static BdmPolicy *defaults;

static void test_card_positives(void)
{
	assert_fires(defaults, "Card 4111 1111 1111 1111 thanks", "sensitive.card",
	             "4111 1111 1111 1111");
	assert_fires(defaults, "4111-1111-1111-1111", "sensitive.card", "4111-1111-1111-1111");
	assert_fires(defaults, "4111.1111.1111.1111", "sensitive.card", "4111.1111.1111.1111");
	assert_fires(defaults, "no:4111111111111111.", "sensitive.card", "4111111111111111");
	assert_fires(defaults, "MC 5555 5555 5555 4444", "sensitive.card", "5555 5555 5555 4444");
	assert_fires(defaults, "MC 2223 0031 2200 3222", "sensitive.card", "2223 0031 2200 3222");
	assert_fires(defaults, "Amex 3782 822463 10005", "sensitive.card", "3782 822463 10005");
	assert_fires(defaults, "Discover 6011 1111 1111 1117", "sensitive.card",
	             "6011 1111 1111 1117");
	assert_fires(defaults, "JCB 3530111333300000", "sensitive.card", "3530111333300000");
	assert_fires(defaults, "Diners 3056 9309 0259 04", "sensitive.card",
	             "3056 9309 0259 04");
	/* A group after the card (an expiry year, a quantity) is not part of it. */
	assert_fires(defaults, "4111 1111 1111 1111 2026", "sensitive.card",
	             "4111 1111 1111 1111");
	/* Broken text next to it does not hide it. */
	assert_fires(defaults, "\xff 4111 1111 1111 1111", "sensitive.card",
	             "4111 1111 1111 1111");
}

static void test_card_near_misses(void)
{
	/* Luhn fails. */
	assert_quiet(defaults, "4111 1111 1111 1112", "sensitive.card");
	/* Order numbers: too short, or Luhn-valid but with no card issuer prefix. */
	assert_quiet(defaults, "Order 123456789012", "sensitive.card");
	assert_quiet(defaults, "Order 7123456789012003", "sensitive.card");
	assert_quiet(defaults, "Ticket 9000000000000001", "sensitive.card");
	assert_quiet(defaults, "Ref 1000000000009", "sensitive.card");
	/* A card-looking middle of one long reference is not a card. */
	assert_quiet(defaults, "Ref 411111111111111100000000", "sensitive.card");
	/* Glued to letters: an identifier. */
	assert_quiet(defaults, "ID X4111111111111111", "sensitive.card");
	assert_quiet(defaults, "ID 4111111111111111X", "sensitive.card");
	/* Amex prefix with a Visa length. */
	assert_quiet(defaults, "3400 0000 0000 0009", "sensitive.card");
	/* Two separators in a row end the number. */
	assert_quiet(defaults, "4111  1111 1111 1111", "sensitive.card");
}

static void test_card_is_not_also_a_phone(void)
{
	BdmCheckInput in = reply_input("Amex 3782 822463 10005 and 4111 1111 1111 1112");
	BdmVerdict *v = bdm_policy_check(defaults, &in);

	g_assert_cmpuint(count_of(v, "sensitive.card"), ==, 1);
	/* Neither the card nor the mistyped card's inner groups are phones. */
	g_assert_cmpuint(count_of(v, "sensitive.phone"), ==, 0);
	g_assert_cmpint(v->level, ==, BDM_VERDICT_BLOCK);
	bdm_verdict_free(v);
}

static void test_iban(void)
{
	assert_fires(defaults, "IBAN DE89 3704 0044 0532 0130 00.", "sensitive.iban",
	             "DE89 3704 0044 0532 0130 00");
	assert_fires(defaults, "GB82WEST12345698765432", "sensitive.iban",
	             "GB82WEST12345698765432");
	assert_fires(defaults, "pay to gb82 west 1234 5698 7654 32 please", "sensitive.iban",
	             "gb82 west 1234 5698 7654 32");
	assert_fires(defaults, "FR14 2004 1010 0505 0001 3M02 606", "sensitive.iban",
	             "FR14 2004 1010 0505 0001 3M02 606");
	assert_fires(defaults, "NO93 8601 1117 947", "sensitive.iban", "NO93 8601 1117 947");
	/* Wrong check digits, wrong length, unknown country, longer run. */
	assert_quiet(defaults, "DE89 3704 0044 0532 0130 01", "sensitive.iban");
	assert_quiet(defaults, "DE89 3704 0044 0532 0130 0", "sensitive.iban");
	assert_quiet(defaults, "ZZ89 3704 0044 0532 0130 00", "sensitive.iban");
	assert_quiet(defaults, "GB82WEST123456987654321", "sensitive.iban");
	assert_quiet(defaults, "XDE89370400440532013000", "sensitive.iban");
	/* Two spaces are a gap between words, not a grouping. */
	assert_quiet(defaults, "DE89  3704 0044 0532 0130 00", "sensitive.iban");
	/* The wrong-checksum IBAN is not reported as a phone number either. */
	assert_quiet(defaults, "DE89 3704 0044 0532 0130 01", "sensitive.phone");
	/* Dashes group an IBAN as well as spaces do, but not mixed with them. */
	assert_fires(defaults, "IBAN DE89-3704-0044-0532-0130-00.", "sensitive.iban",
	             "DE89-3704-0044-0532-0130-00");
	assert_quiet(defaults, "DE89-3704 0044-0532 0130-00", "sensitive.iban");
	/* Mistyped IBANs (Presidio's samples): wrong check digits, and their
	 * digit groups are no card ("3016 1111 1018 0000" passes Luhn). */
	assert_quiet(defaults, "HU42 1177 3016 1111 1018 0000 0001", "sensitive.card");
	assert_quiet(defaults, "RS35 2600 0560 1001 6113 70", "sensitive.card");
	assert_quiet(defaults, "LV80 bANK 0000 4351 9500 1", "sensitive.iban");
}

/* Issuers that the first table left out (Presidio's and PayPal's test numbers). */
static void test_card_issuers(void)
{
	assert_fires(defaults, "UATP 122000000000003", "sensitive.card", "122000000000003");
	assert_fires(defaults, "Dankort 5019717010103742", "sensitive.card", "5019717010103742");
	assert_fires(defaults, "Diners 38520000023237", "sensitive.card", "38520000023237");
	assert_fires(defaults, "Elo 6362970000457013", "sensitive.card", "6362970000457013");
	assert_fires(defaults, "6000 0707 3616 9237 003", "sensitive.card", "6000 0707 3616 9237 003");
	/* A 13-digit number starting with 1 is no UATP card, nor a Luhn failure. */
	assert_quiet(defaults, "1748503543012", "sensitive.card");
	assert_quiet(defaults, "122000000000004", "sensitive.card");
}

static void test_ssn(void)
{
	assert_fires(defaults, "SSN 123-45-6789.", "sensitive.ssn", "123-45-6789");
	assert_fires(defaults, "ssn 123 45 6789", "sensitive.ssn", "123 45 6789");
	assert_fires(defaults, "899-99-9999", "sensitive.ssn", "899-99-9999");
	assert_fires(defaults, "SSN 078.05.1123", "sensitive.ssn", "078.05.1123");
	assert_quiet(defaults, "693-09.4444", "sensitive.ssn");
	assert_quiet(defaults, "v1.078.05.1123", "sensitive.ssn");
	/* Never issued: area 000, 666, 9xx; group 00; serial 0000. */
	assert_quiet(defaults, "666-12-3456", "sensitive.ssn");
	assert_quiet(defaults, "000-12-3456", "sensitive.ssn");
	assert_quiet(defaults, "900-12-3456", "sensitive.ssn");
	assert_quiet(defaults, "123-00-6789", "sensitive.ssn");
	assert_quiet(defaults, "123-45-0000", "sensitive.ssn");
	/* Mixed separators, or part of a longer number. */
	assert_quiet(defaults, "123-45 6789", "sensitive.ssn");
	assert_quiet(defaults, "123-45-67890", "sensitive.ssn");
	assert_quiet(defaults, "1123-45-6789", "sensitive.ssn");
	assert_quiet(defaults, "123-45-6789-12", "sensitive.ssn");
	/* An invalid SSN is not a phone number either. */
	assert_quiet(defaults, "666-12-3456", "sensitive.phone");
}

static void test_secrets(void)
{
	const char *key = "here:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n"
	                  "-----END RSA PRIVATE KEY-----\nbye";

	assert_fires(defaults, key, "sensitive.secret",
	             "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----");
	/* Cut off before its END line: everything after BEGIN. */
	assert_fires(defaults, "x -----BEGIN PRIVATE KEY-----\nMIIE", "sensitive.secret",
	             "-----BEGIN PRIVATE KEY-----\nMIIE");
	assert_fires(defaults, "key AKIAIOSFODNN7EXAMPLE ok", "sensitive.secret",
	             "AKIAIOSFODNN7EXAMPLE");
	assert_fires(defaults, "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "sensitive.secret",
	             "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8");
	assert_fires(defaults, "token github_pat_11ABCDEFG0123456789_abcdefghij", "sensitive.secret",
	             "github_pat_11ABCDEFG0123456789_abcdefghij");
	assert_fires(defaults, "slack xoxb-123456789012-abcdefABCDEF", "sensitive.secret",
	             "xoxb-123456789012-abcdefABCDEF");
	assert_fires(defaults, "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sensitive.secret",
	             "sk_live_4eC39HqLyjWDarjtT1zdp7dc");
	assert_fires(defaults, "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "sensitive.secret",
	             "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q");
	assert_fires(defaults, "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N",
	             "sensitive.secret",
	             "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N");
	assert_fires(defaults, "Your password: hunter2 ok", "sensitive.secret",
	             "password: hunter2");
	assert_fires(defaults, "login with pwd=abc123", "sensitive.secret", "pwd=abc123");
	assert_fires(defaults, "Password = s3cret!", "sensitive.secret", "Password = s3cret!");

	assert_quiet(defaults, "AKIA is how AWS keys start", "sensitive.secret");
	assert_quiet(defaults, "AKIAIOSFODNN7EXAMPL", "sensitive.secret");      /* 15 */
	assert_quiet(defaults, "AKIAIOSFODNN7EXAMPLEX", "sensitive.secret");    /* 17 */
	assert_quiet(defaults, "ghp_short", "sensitive.secret");
	assert_quiet(defaults, "eyJhbGciOiJIUzI1NiJ9 is base64", "sensitive.secret");
	assert_quiet(defaults, "Reset your password here", "sensitive.secret");
	assert_quiet(defaults, "Forgot your password?", "sensitive.secret");
	assert_quiet(defaults, "New password:", "sensitive.secret");
	assert_quiet(defaults, "password: ********", "sensitive.secret");
	assert_quiet(defaults, "password: \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2", "sensitive.secret");
	assert_quiet(defaults, "-----BEGIN PUBLIC KEY-----\nMIIB", "sensitive.secret");
	assert_quiet(defaults, "passwordless login: yes", "sensitive.secret");

	/* From detect-secrets' and gitleaks' fixtures (tests/policy_corpus/secret.tsv). */
	assert_fires(defaults, "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "sensitive.secret",
	             "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
	assert_fires(defaults, "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQWGBGSVV4YB\n=8xQN\n"
	             "-----END PGP PRIVATE KEY BLOCK-----\nthanks", "sensitive.secret",
	             "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQWGBGSVV4YB\n=8xQN\n"
	             "-----END PGP PRIVATE KEY BLOCK-----");
	assert_fires(defaults, "xoxe-1-My0xLTMxNzcwMjQ0MTcxMy01MTU4MTUyNjkxNzE0LTUxODE4NDI0MDY3MzYtMjA5"
	             "MGFkOTFlZThkZWE2OGFlZDYwYWJjODNhYzAxYjA5ZjVmODBhYjgzN2QyNDdjOTNlOGY5NTg2YWM1OGM4Mg",
	             "sensitive.secret", NULL);
	assert_fires(defaults, "xapp-1-A052FGTS2DL-5171572773297-610b6a11f4b7eb819e87b767d80e6575",
	             "sensitive.secret", NULL);
	assert_fires(defaults, "db_pass: m{{h}o)p$", "sensitive.secret", "db_pass: m{{h}o)p$");
	assert_fires(defaults, "aws_secret_access_key: value with spaces", "sensitive.secret",
	             "aws_secret_access_key: value");
	assert_fires(defaults, "secret: 'x7#kq'", "sensitive.secret", "secret: 'x7#kq'");
	/* Unsigned: header and payload only. */
	assert_fires(defaults, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0",
	             "sensitive.secret", NULL);
	/* "Secret" and "token" start sentences too. */
	assert_quiet(defaults, "The secret: we ship on Mondays", "sensitive.secret");
	assert_quiet(defaults, "Token: thanks", "sensitive.secret");
	assert_quiet(defaults, "api_key = \"\"", "sensitive.secret");
	assert_quiet(defaults, "password: ${link}", "sensitive.secret");
	assert_quiet(defaults, "xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx", "sensitive.secret");
	assert_quiet(defaults, "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "sensitive.secret");
	assert_quiet(defaults, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ.eyJzdWIiOiIxMjM0NTY3ODkwIn0",
	             "sensitive.secret");
}

static void test_email(void)
{
	BdmPolicy *p = policy_from_texts("[rule sensitive.email]\n"
	                                 "allow = help@acme.com; @acme.help\n", NULL, NULL);

	assert_fires(defaults, "write to bob.smith+x@example.co.uk.", "sensitive.email",
	             "bob.smith+x@example.co.uk");
	assert_fires(p, "write to bob@example.com", "sensitive.email", "bob@example.com");
	assert_quiet(p, "write to help@acme.com", "sensitive.email");
	assert_quiet(p, "write to HELP@ACME.COM", "sensitive.email");
	assert_quiet(p, "write to anyone@support.acme.help", "sensitive.email");
	/* Near misses of the allow-list. */
	assert_fires(p, "write to sales@acme.com", "sensitive.email", "sales@acme.com");
	assert_fires(p, "write to x@acme.help.evil.com", "sensitive.email", "x@acme.help.evil.com");
	assert_fires(p, "write to x@evilacme.help", "sensitive.email", "x@evilacme.help");
	/* Not addresses. */
	assert_quiet(defaults, "x@y.c", "sensitive.email");
	assert_quiet(defaults, "ping @acme on X", "sensitive.email");
	assert_quiet(defaults, "user@localhost", "sensitive.email");
	assert_quiet(defaults, "a@b.123", "sensitive.email");
	bdm_policy_free(p);
}

static void test_phone(void)
{
	BdmPolicy *p = policy_from_texts("[rule sensitive.phone]\n"
	                                 "allow = +1 800 555 0100\n", NULL, NULL);

	assert_fires(defaults, "call +1 (800) 555-0100.", "sensitive.phone", "+1 (800) 555-0100");
	assert_fires(defaults, "call +44 20 7946 0958", "sensitive.phone", "+44 20 7946 0958");
	assert_fires(defaults, "call 555-123-4567", "sensitive.phone", "555-123-4567");
	assert_fires(defaults, "call (555) 123-4567", "sensitive.phone", "(555) 123-4567");
	assert_fires(defaults, "call 06 12 34 56 78", "sensitive.phone", "06 12 34 56 78");
	assert_fires(defaults, "call +4930123456", "sensitive.phone", "+4930123456");
	/* The brand's own number, with or without the country code. */
	assert_quiet(p, "call 800-555-0100", "sensitive.phone");
	assert_quiet(p, "call +1 (800) 555-0100", "sensitive.phone");
	assert_fires(p, "call 800-555-0199", "sensitive.phone", "800-555-0199");
	/* Numbers that are not phones. */
	assert_quiet(defaults, "Order 5551234567", "sensitive.phone");
	assert_quiet(defaults, "on 2026-03-01", "sensitive.phone");
	assert_quiet(defaults, "on 01.03.2026", "sensitive.phone");
	assert_quiet(defaults, "costs 1 000 000", "sensitive.phone");
	assert_quiet(defaults, "open 10.30-11.45", "sensitive.phone");
	assert_quiet(defaults, "code 12 34", "sensitive.phone");
	assert_quiet(defaults, "v1.2.3.4.5.6.7", "sensitive.phone");
	/* Inside an e-mail address or a link. */
	assert_quiet(defaults, "jane.555-123-4567@example.com", "sensitive.phone");
	assert_quiet(defaults, "https://acme.com/orders/555-123-4567", "sensitive.phone");
	bdm_policy_free(p);
}

/* From Presidio's recognizer tests (tests/policy_corpus/contact.tsv). */
static void test_contact_shapes(void)
{
	assert_fires(defaults, "United States: (415)555-0132", "sensitive.phone", "(415)555-0132");
	assert_fires(defaults, "mail a@xn--d1acufc.xn--p1ai", "sensitive.email",
	             "a@xn--d1acufc.xn--p1ai");
	assert_quiet(defaults, "SKU 1234-5678-9012", "sensitive.phone");
	assert_fires(defaults, "call 0301 234 5678", "sensitive.phone", "0301 234 5678");
}

static void test_rules_off(void)
{
	BdmPolicy *p = policy_from_texts("[rule sensitive.card]\nseverity = off\n"
	                                 "[rule sensitive.email]\nseverity = block\n", NULL, NULL);
	BdmCheckInput in = reply_input("4111 1111 1111 1111 bob@example.com");
	BdmVerdict *v = bdm_policy_check(p, &in);

	g_assert_null(finding_of(v, "sensitive.card"));
	g_assert_nonnull(finding_of(v, "sensitive.email"));
	g_assert_cmpint(finding_of(v, "sensitive.email")->severity, ==, BDM_VERDICT_BLOCK);
	g_assert_cmpint(v->level, ==, BDM_VERDICT_BLOCK);
	bdm_verdict_free(v);
	bdm_policy_free(p);
}

int main(int argc, char **argv)
{
	int status;

	policy_tests_init(&argc, &argv, "test_policy_sensitive-XXXXXX");
	defaults = bdm_policy_new_default();
	g_test_add_func("/policy/sensitive/card", test_card_positives);
	g_test_add_func("/policy/sensitive/card_near_misses", test_card_near_misses);
	g_test_add_func("/policy/sensitive/card_not_phone", test_card_is_not_also_a_phone);
	g_test_add_func("/policy/sensitive/card_issuers", test_card_issuers);
	g_test_add_func("/policy/sensitive/iban", test_iban);
	g_test_add_func("/policy/sensitive/ssn", test_ssn);
	g_test_add_func("/policy/sensitive/secrets", test_secrets);
	g_test_add_func("/policy/sensitive/email", test_email);
	g_test_add_func("/policy/sensitive/phone", test_phone);
	g_test_add_func("/policy/sensitive/contact_shapes", test_contact_shapes);
	g_test_add_func("/policy/sensitive/rules_off", test_rules_off);
	status = policy_tests_run();
	bdm_policy_free(defaults);
	return status;
}
