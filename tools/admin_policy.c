/*
 * branddm-admin policy-check: the verdict of the pre-send policy on the
 * message read from standard input, so an administrator can try a policy
 * file before deploying it, and scripts can check texts (templates,
 * auto-replies) in bulk.
 *
 * The exit status is the verdict: 0 allowed, 1 warn, 2 block; 3 when the
 * command line or the policy file is wrong.  One newline at the end of the
 * input is not part of the message ("echo text | ..." adds it); span
 * offsets refer to the message without it.
 */
#include <stdio.h>
#include <string.h>

#include "branddm/i18n.h"
#include "admin.h"
#include "admin_util.h"
#include "policy.h"

#define EXIT_POLICY_ERROR 3

/* The send limits of the platforms BrandDM knows (see the protocol
 * modules), so --platform checks what that platform would accept. */
typedef struct {
	const char *platform;
	gsize limit;
	gboolean in_bytes;
} PlatformLimit;

static const PlatformLimit platform_limits[] = {
	{ "facebook", 2000, FALSE },
	{ "instagram", 1000, TRUE },
	{ "x", 10000, FALSE },
};

typedef struct {
	char *policy;
	gboolean json;
	char *platform;
	char *account;
	char *agent;
	gboolean first_contact;
	gboolean automated;
	char *window_refusal;
} Options;

/* All of standard input; NULL with a message when it holds a NUL byte
 * (no messaging platform accepts one, so it is not a message). */
static char *read_message(void)
{
	GString *text = g_string_new(NULL);
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		g_string_append_len(text, buf, (gssize)n);
	if (ferror(stdin)) {
		bdm_admin_fail(_("cannot read the message from standard input"));
		g_string_free(text, TRUE);
		return NULL;
	}
	if (memchr(text->str, '\0', text->len) != NULL) {
		bdm_admin_fail(_("the message contains a NUL byte; it must be text"));
		g_string_free(text, TRUE);
		return NULL;
	}
	if (text->len > 0 && text->str[text->len - 1] == '\n')
		g_string_truncate(text, text->len - 1);
	if (text->len > 0 && text->str[text->len - 1] == '\r')
		g_string_truncate(text, text->len - 1);
	return g_string_free(text, FALSE);
}

static BdmPolicy *load_policy(const Options *o)
{
	GError *error = NULL;
	BdmPolicy *p;

	/* A missing system file means "defaults", but a missing --policy file
	 * is a typo that would otherwise test the defaults instead. */
	if (o->policy != NULL && !g_file_test(o->policy, G_FILE_TEST_EXISTS)) {
		bdm_admin_fail(_("policy file %s does not exist"), o->policy);
		return NULL;
	}
	/* --policy replaces the system file: that is the file being tried. */
	p = bdm_policy_load(o->policy != NULL ? o->policy : BDM_POLICY_SYSTEM_PATH, NULL, &error);
	if (p == NULL) {
		bdm_admin_fail("%s", error->message);
		g_error_free(error);
	}
	return p;
}

static void print_verdict(const BdmVerdict *v)
{
	printf(_("verdict: %s\n"), bdm_verdict_level_name(v->level));
	for (guint i = 0; i < v->findings->len; i++) {
		const BdmFinding *f = g_ptr_array_index(v->findings, i);

		if (f->start == 0 && f->end == 0)
			printf(_("%s\t%s\twhole message\t%s\n"), f->rule_id,
			       bdm_verdict_level_name(f->severity), f->explanation);
		else
			printf("%s\t%s\t%" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT "\t%s\n", f->rule_id,
			       bdm_verdict_level_name(f->severity), f->start, f->end, f->explanation);
	}
}

static int check(Options *o)
{
	BdmCheckInput in = { 0 };
	BdmPolicy *policy;
	BdmVerdict *v;
	char *text;
	int status;

	if (!bdm_admin_resolve_platform(&o->platform))
		return EXIT_POLICY_ERROR;
	policy = load_policy(o);
	if (policy == NULL)
		return EXIT_POLICY_ERROR;
	text = read_message();
	if (text == NULL) {
		bdm_policy_free(policy);
		return EXIT_POLICY_ERROR;
	}
	in.text = text;
	in.platform = o->platform;
	in.account = o->account;
	in.agent = o->agent != NULL ? o->agent : g_get_user_name();
	in.customer_has_written = !o->first_contact;
	in.automated = o->automated;
	in.window_refusal = o->window_refusal;
	for (guint i = 0; o->platform != NULL && i < G_N_ELEMENTS(platform_limits); i++) {
		if (strcmp(o->platform, platform_limits[i].platform) == 0) {
			in.text_limit = platform_limits[i].limit;
			in.text_limit_in_bytes = platform_limits[i].in_bytes;
		}
	}
	v = bdm_policy_check(policy, &in);
	if (o->json) {
		char *json = bdm_verdict_to_json(v);

		printf("%s\n", json);
		g_free(json);
	} else {
		print_verdict(v);
	}
	status = (int)v->level;
	bdm_verdict_free(v);
	bdm_policy_free(policy);
	g_free(text);
	if (fflush(stdout) != 0) {
		bdm_admin_fail(_("cannot write the verdict"));
		return EXIT_POLICY_ERROR;
	}
	return status;
}

int bdm_admin_policy_check(int argc, char **argv)
{
	Options o = { 0 };
	GOptionEntry entries[] = {
		{ "policy", 0, 0, G_OPTION_ARG_FILENAME, &o.policy,
		  N_("Check against FILE (on top of the built-in defaults) instead of the "
		     "system policy"), N_("FILE") },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &o.json,
		  N_("Print the verdict as JSON"), NULL },
		{ "platform", 0, 0, G_OPTION_ARG_STRING, &o.platform,
		  N_("facebook, instagram or x: apply that platform's length limit and [agents] "
		     "entries"), N_("NAME") },
		{ "account", 0, 0, G_OPTION_ARG_STRING, &o.account,
		  N_("The brand account the message would be sent on"), N_("ID") },
		{ "agent", 0, 0, G_OPTION_ARG_STRING, &o.agent,
		  N_("The sender's user name (default: you)"), N_("NAME") },
		{ "first-contact", 0, 0, G_OPTION_ARG_NONE, &o.first_contact,
		  N_("The customer has not written in this conversation yet"), NULL },
		{ "automated", 0, 0, G_OPTION_ARG_NONE, &o.automated,
		  N_("The message is machine-written (an automatic reply)"), NULL },
		{ "window-refusal", 0, 0, G_OPTION_ARG_STRING, &o.window_refusal,
		  N_("The platform refuses the reply for its window, for REASON"), N_("REASON") },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *ctx = g_option_context_new(_("< MESSAGE"));
	int status;

	g_option_context_set_summary(ctx, _("Check the message on standard input against the "
	                                    "message policy.\nExit status: 0 allowed, 1 warning, "
	                                    "2 blocked, 3 usage or policy-file error."));
	g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
	status = bdm_admin_parse(ctx, &argc, &argv, EXIT_POLICY_ERROR);
	if (status < 0)
		status = check(&o);
	g_option_context_free(ctx);
	g_free(o.policy);
	g_free(o.platform);
	g_free(o.account);
	g_free(o.agent);
	g_free(o.window_refusal);
	return status;
}
