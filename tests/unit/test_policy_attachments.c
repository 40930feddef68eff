/*
 * The attachment rules (policy_attachments.c): the type by content, the
 * size limit, suspicious names, and their settings in policy files.
 */
#include "test_policy_helpers.h"

static BdmPolicy *defaults;

static const guint8 png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0";
static const guint8 pdf[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
static const guint8 jpeg[] = "\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0";
static const guint8 gif[] = "GIF89a\x10\0\x10\0\x80\0\0";
static const guint8 exe[] = "MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";
static const guint8 script[] = "#!/bin/sh\nrm -rf ~\n";
static const guint8 zip[] = "PK\x03\x04\x14\0\0\0\x08\0";
static const guint8 webp[] = "RIFF\x24\0\0\0WEBPVP8 ";

/* The verdict on a file of size bytes whose content starts with head. */
static BdmVerdict *check_file(const BdmPolicy *p, const char *name, const guint8 *head,
                              gsize head_len, guint64 size, const char **type)
{
	BdmAttachmentInput in = { 0 };
	BdmVerdict *v;

	in.name = name;
	in.head = head;
	in.head_len = head_len;
	in.size = size;
	v = bdm_policy_check_attachment(p, &in, type);
	g_assert_nonnull(v);
	g_assert_nonnull(v->findings);
	return v;
}

#define CHECK(p, name, data, size, type) check_file(p, name, data, sizeof(data) - 1, size, type)

static void assert_rule(BdmVerdict *v, const char *rule, gboolean fires, const char *what)
{
	if ((finding_of(v, rule) != NULL) != fires) {
		g_test_message("%s: %s %s", what, rule, fires ? "did not fire" : "fired");
		g_test_fail();
	}
	bdm_verdict_free(v);
}

static void test_allowed_files(void)
{
	const char *type = NULL;
	BdmVerdict *v = CHECK(defaults, "receipt.png", png, 1000, &type);

	g_assert_cmpstr(type, ==, "image/png");
	g_assert_cmpint(v->level, ==, BDM_VERDICT_ALLOW);
	g_assert_cmpuint(v->findings->len, ==, 0);
	bdm_verdict_free(v);
	v = CHECK(defaults, "Return label.pdf", pdf, 200000, &type);
	g_assert_cmpstr(type, ==, "application/pdf");
	g_assert_cmpint(v->level, ==, BDM_VERDICT_ALLOW);
	bdm_verdict_free(v);
	v = CHECK(defaults, "photo.jpeg", jpeg, 5000, &type);
	g_assert_cmpstr(type, ==, "image/jpeg");
	g_assert_cmpint(v->level, ==, BDM_VERDICT_ALLOW);
	bdm_verdict_free(v);
	v = CHECK(defaults, "spinner.gif", gif, 5000, &type);
	g_assert_cmpstr(type, ==, "image/gif");
	g_assert_cmpint(v->level, ==, BDM_VERDICT_ALLOW);
	bdm_verdict_free(v);
	/* A version number or a date is not a second extension. */
	assert_rule(CHECK(defaults, "manual.v2.1.pdf", pdf, 100, NULL), "attachment.name", FALSE,
	            "manual.v2.1.pdf");
	assert_rule(CHECK(defaults, "photo.jpg.jpg", jpeg, 100, NULL), "attachment.name", FALSE,
	            "the same extension twice");
}

static void test_type_by_content(void)
{
	const char *type = NULL;
	BdmVerdict *v = CHECK(defaults, "label.pdf", exe, 1000, &type);
	const BdmFinding *f = finding_of(v, "attachment.type");

	/* The name says PDF; the content is a Windows program. */
	g_assert_cmpstr(type, ==, "application/x-executable");
	g_assert_nonnull(f);
	g_assert_cmpint(f->severity, ==, BDM_VERDICT_BLOCK);
	g_assert_nonnull(strstr(f->explanation, "program"));
	g_assert_cmpint(v->level, ==, BDM_VERDICT_BLOCK);
	bdm_verdict_free(v);
	assert_rule(CHECK(defaults, "notes.png", script, 100, NULL), "attachment.type", TRUE,
	            "a shell script named .png");
	v = CHECK(defaults, "archive.pdf", zip, 100, &type);
	f = finding_of(v, "attachment.type");
	g_assert_cmpstr(type, ==, "application/octet-stream");
	g_assert_nonnull(f);
	g_assert_nonnull(strstr(f->explanation, "cannot tell"));
	bdm_verdict_free(v);
	/* WebP is an image, but not one of the default types. */
	v = CHECK(defaults, "photo.webp", webp, 100, &type);
	f = finding_of(v, "attachment.type");
	g_assert_nonnull(f);
	g_assert_nonnull(strstr(f->explanation, "image/webp"));
	g_assert_nonnull(strstr(f->explanation, "application/pdf"));
	bdm_verdict_free(v);
	/* Nothing to read: unknown, so refused. */
	v = check_file(defaults, "empty.png", NULL, 0, 10, &type);
	g_assert_nonnull(finding_of(v, "attachment.type"));
	bdm_verdict_free(v);
}

static void test_size(void)
{
	guint64 mb = 1024 * 1024;
	BdmVerdict *v;
	const BdmFinding *f;

	g_assert_cmpuint(bdm_policy_attachment_max_bytes(defaults), ==, 25 * mb);
	assert_rule(CHECK(defaults, "big.png", png, 25 * mb, NULL), "attachment.size", FALSE,
	            "exactly 25 MB");
	v = CHECK(defaults, "big.png", png, 25 * mb + 1, NULL);
	f = finding_of(v, "attachment.size");
	g_assert_nonnull(f);
	g_assert_nonnull(strstr(f->explanation, "25 MB"));
	g_assert_cmpint(v->level, ==, BDM_VERDICT_BLOCK);
	bdm_verdict_free(v);
	v = CHECK(defaults, "empty.pdf", pdf, 0, NULL);
	f = finding_of(v, "attachment.size");
	g_assert_nonnull(f);
	g_assert_nonnull(strstr(f->explanation, "empty"));
	bdm_verdict_free(v);
}

static void test_names(void)
{
	static const char *const programs[] = {
		"setup.exe", "RUN.BAT", "x.cmd", "screensaver.scr", "invoice.js", "a.vbs",
		"install.msi", "script.sh", "app.jar", "invoice.exe.", "invoice.exe  ", NULL
	};
	static const char *const doubles[] = {
		"invoice.pdf.exe", "photo.jpg.scr", "invoice.pdf      .html", "scan.PNG.zip",
		"/home/alice/Downloads/receipt.pdf.lnk", NULL
	};
	BdmVerdict *v;
	const BdmFinding *f;

	for (guint i = 0; programs[i] != NULL; i++)
		assert_rule(CHECK(defaults, programs[i], pdf, 100, NULL), "attachment.name", TRUE,
		            programs[i]);
	for (guint i = 0; doubles[i] != NULL; i++)
		assert_rule(CHECK(defaults, doubles[i], pdf, 100, NULL), "attachment.name", TRUE,
		            doubles[i]);
	v = CHECK(defaults, "invoice.pdf.html", pdf, 100, NULL);
	f = finding_of(v, "attachment.name");
	g_assert_nonnull(f);
	g_assert_nonnull(strstr(f->explanation, ".pdf.html"));
	bdm_verdict_free(v);
	/* Right-to-left override: shows as "invoiceexe.pdf". */
	v = CHECK(defaults, "invoice\xe2\x80\xae" "fdp.exe", pdf, 100, NULL);
	f = finding_of(v, "attachment.name");
	g_assert_nonnull(f);
	g_assert_nonnull(strstr(f->explanation, "direction"));
	bdm_verdict_free(v);
	assert_rule(CHECK(defaults, "a\xe2\x81\xa6" "b.pdf", pdf, 100, NULL), "attachment.name",
	            TRUE, "a first-strong isolate");
	assert_rule(CHECK(defaults, "line\nbreak.pdf", pdf, 100, NULL), "attachment.name", TRUE,
	            "a newline");
	assert_rule(CHECK(defaults, "bad\xff.pdf", pdf, 100, NULL), "attachment.name", TRUE,
	            "invalid UTF-8");
	/* A hidden file's dot starts no extension; accents are fine. */
	assert_rule(CHECK(defaults, ".pdf", pdf, 100, NULL), "attachment.name", FALSE, ".pdf");
	assert_rule(CHECK(defaults, "Rückgabe-Étiquette.pdf", pdf, 100, NULL), "attachment.name",
	            FALSE, "accented name");
}

static void test_every_finding_at_once(void)
{
	BdmVerdict *v = CHECK(defaults, "invoice.pdf.exe", exe, 30u * 1024 * 1024, NULL);

	g_assert_nonnull(finding_of(v, "attachment.type"));
	g_assert_nonnull(finding_of(v, "attachment.size"));
	g_assert_nonnull(finding_of(v, "attachment.name"));
	g_assert_cmpuint(v->findings->len, ==, 3);
	bdm_verdict_free(v);
}

static void test_settings(void)
{
	BdmPolicy *p = policy_from_texts("[rule attachment.type]\n"
	                                 "allow = image/*; application/pdf\n"
	                                 "[rule attachment.size]\n"
	                                 "max_mb = 5\n"
	                                 "[rule attachment.name]\n"
	                                 "extensions = .EXE; docm\n", NULL, NULL);
	guint64 mb = 1024 * 1024;
	char *summary;

	assert_rule(CHECK(p, "photo.webp", webp, 100, NULL), "attachment.type", FALSE,
	            "image/* takes webp");
	assert_rule(CHECK(p, "x.pdf", pdf, 6 * mb, NULL), "attachment.size", TRUE, "6 MB over 5");
	g_assert_cmpuint(bdm_policy_attachment_max_bytes(p), ==, 5 * mb);
	assert_rule(CHECK(p, "macro.docm", pdf, 100, NULL), "attachment.name", TRUE, "docm listed");
	assert_rule(CHECK(p, "setup.exe", pdf, 100, NULL), "attachment.name", TRUE, ".EXE listed");
	/* The list replaces the built-in one. */
	assert_rule(CHECK(p, "run.bat", pdf, 100, NULL), "attachment.name", FALSE, "bat not listed");
	summary = bdm_policy_summary(p);
	g_assert_nonnull(strstr(summary, "image/*, application/pdf"));
	g_assert_nonnull(strstr(summary, "Files up to 5 MB"));
	g_assert_nonnull(strstr(summary, "(attachment.name)"));
	g_free(summary);
	bdm_policy_free(p);

	/* Off: nothing fires, and the size limit is the platform's. */
	p = policy_from_texts("[rule attachment.size]\nseverity = off\n"
	                      "[rule attachment.type]\nseverity = warn\n", NULL, NULL);
	assert_rule(CHECK(p, "x.pdf", pdf, 90 * mb, NULL), "attachment.size", FALSE, "size off");
	g_assert_cmpuint(bdm_policy_attachment_max_bytes(p), ==, 0);
	{
		BdmVerdict *v = CHECK(p, "a.zip", zip, 100, NULL);

		g_assert_cmpint(v->level, ==, BDM_VERDICT_WARN);
		bdm_verdict_free(v);
	}
	bdm_policy_free(p);

	/* The agent's file may lower the limit, not raise it. */
	p = policy_from_texts("[rule attachment.size]\nmax_mb = 10\n",
	                      "[rule attachment.size]\nmax_mb = 50\n", NULL);
	g_assert_cmpuint(bdm_policy_attachment_max_bytes(p), ==, 10 * mb);
	g_assert_nonnull(bdm_policy_notices(p)[0]);
	bdm_policy_free(p);
	p = policy_from_texts("[rule attachment.size]\nmax_mb = 10\n",
	                      "[rule attachment.size]\nmax_mb = 2\n", NULL);
	g_assert_cmpuint(bdm_policy_attachment_max_bytes(p), ==, 2 * mb);
	bdm_policy_free(p);
	/* ... and may only narrow the allowed types. */
	p = policy_from_texts(NULL, "[rule attachment.type]\nallow = application/pdf\n", NULL);
	assert_rule(CHECK(p, "a.png", png, 100, NULL), "attachment.type", TRUE, "narrowed to pdf");
	bdm_policy_free(p);
	p = policy_from_texts("[rule attachment.type]\nallow = application/pdf\n",
	                      "[rule attachment.type]\nallow = application/pdf; image/png\n", NULL);
	assert_rule(CHECK(p, "a.png", png, 100, NULL), "attachment.type", TRUE,
	            "user file cannot widen");
	bdm_policy_free(p);
}

static void test_bad_settings(void)
{
	static const char *const bad[][2] = {
		{ "[rule attachment.type]\nallow = png\n", "a file type" },
		{ "[rule attachment.type]\nallow = image/png; */*\n", "a file type" },
		{ "[rule attachment.type]\nallow = image/p*g\n", "a file type" },
		{ "[rule attachment.size]\nmax_mb = 0\n", "whole number from 1 to 100" },
		{ "[rule attachment.size]\nmax_mb = 25MB\n", "whole number" },
		{ "[rule attachment.name]\nextensions = e.x.e\n", "extension" },
		{ "[rule attachment.name]\nmax = 3\n", "unknown key" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		GError *error = NULL;
		BdmPolicy *p = policy_from_texts(bad[i][0], NULL, &error);

		g_assert_null(p);
		assert_message_has(error, bad[i][1], "system.conf", NULL);
		g_clear_error(&error);
	}
}

static void test_rule_ids(void)
{
	static const char *const ids[] = { "attachment.type", "attachment.size", "attachment.name" };

	for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
		BdmVerdictLevel level = BDM_VERDICT_ALLOW;

		g_assert_true(bdm_policy_rule_severity(defaults, ids[i], &level));
		g_assert_cmpint(level, ==, BDM_VERDICT_BLOCK);
		g_assert_nonnull(bdm_policy_rule_title(ids[i]));
	}
}

int main(int argc, char **argv)
{
	int status;

	policy_tests_init(&argc, &argv, "test_policy_attachments-XXXXXX");
	defaults = bdm_policy_new_default();
	g_test_add_func("/policy/attachments/allowed_files", test_allowed_files);
	g_test_add_func("/policy/attachments/type_by_content", test_type_by_content);
	g_test_add_func("/policy/attachments/size", test_size);
	g_test_add_func("/policy/attachments/names", test_names);
	g_test_add_func("/policy/attachments/every_finding_at_once", test_every_finding_at_once);
	g_test_add_func("/policy/attachments/settings", test_settings);
	g_test_add_func("/policy/attachments/bad_settings", test_bad_settings);
	g_test_add_func("/policy/attachments/rule_ids", test_rule_ids);
	status = policy_tests_run();
	bdm_policy_free(defaults);
	return status;
}
