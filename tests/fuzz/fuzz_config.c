/*
 * libFuzzer target: the configuration loaders on hostile files.
 *
 * Input parts (separated by a "%%" line): a first line naming the loader
 * ("policy", "desk" or "templates"), the system file, the user file, and a
 * customer message.  An empty file part stands for an absent file.  What
 * loads is then used: the policy checks the message, the desk matches its
 * escalation triggers against the message and computes business hours and
 * response-time deadlines around the year, templates are listed.  A loader
 * must answer with a result or an error, never both or neither.
 */
#include <stdlib.h>
#include <string.h>

#include "desk_config.h"
#include "escalation.h"
#include "policy.h"
#include "templates.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW 1795000000LL

static void result_or_error(const void *result, GError *error)
{
	if ((result == NULL) == (error == NULL))
		abort();
	if (error != NULL && !g_utf8_validate(error->message, -1, NULL))
		abort();   /* shown to the agent: must be text even for a binary file */
}

static void use_policy(const BdmPolicy *p, const char *message)
{
	BdmCheckInput in = { .text = message, .platform = "facebook", .account = "1000",
	                     .agent = "grace", .customer_has_written = TRUE, .text_limit = 2000 };
	BdmVerdict *v = bdm_policy_check(p, &in);
	char *summary = bdm_policy_summary(p);
	const char *const *notice;

	for (notice = bdm_policy_notices(p); *notice; notice++)
		(void)strlen(*notice);
	(void)bdm_policy_agent_may_send(p, "x", "2000", "grace");
	(void)strlen(bdm_policy_version(p));
	(void)strlen(bdm_policy_source(p));
	g_free(summary);
	bdm_verdict_free(v);
}

static void use_desk(const BdmDeskConfig *cfg, const char *message)
{
	const BdmBusinessHours *bh = bdm_desk_config_business_hours(cfg);
	GPtrArray *matches = bdm_escalation_match_triggers(cfg, message);
	gint64 t;
	guint i;

	for (i = 0; i < matches->len; i++) {
		const BdmEscalationMatch *m = g_ptr_array_index(matches, i);
		if (m->start > m->end || m->end > strlen(message))
			abort();
	}
	g_ptr_array_unref(matches);
	(void)bdm_desk_config_brand(cfg);
	(void)bdm_desk_config_webhook_url(cfg, "legal");
	(void)bdm_desk_config_auto_reply_applies(cfg, "facebook", "1000");
	(void)bdm_escalation_validate(cfg, "legal", "refund", NULL);
	/* Every quarter of a year, both targets and both counting modes: a
	 * holiday list or opening hours must never make a deadline loop. */
	for (t = FUZZ_NOW; t < FUZZ_NOW + 366 * 86400LL; t += 91 * 86400LL + 3600 * 7) {
		gint64 deadline;
		(void)bdm_business_hours_is_open(bh, t);
		for (i = 0; i < 2; i++) {
			gint64 target = bdm_desk_config_sla_target(cfg, i == 0);
			BdmCountMode mode = bdm_desk_config_sla_mode(cfg, i == 0);
			deadline = bdm_business_deadline(bh, mode, t, target);
			if (deadline < t)
				abort();
			(void)bdm_business_elapsed(bh, mode, t, t + 3 * 86400);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzPart parts[FUZZ_MAX_PARTS];
	size_t n = fuzz_split(data, size, parts);
	char *system_path = NULL, *user_path = NULL;
	const char *message = n > 3 ? parts[3].text : "I want my money back, my lawyer says so";
	GError *error = NULL;

	if (n > 1 && parts[1].len > 0)
		system_path = fuzz_write_file("system.conf", parts[1].text, parts[1].len);
	if (n > 2 && parts[2].len > 0)
		user_path = fuzz_write_file("user.conf", parts[2].text, parts[2].len);

	if (strcmp(parts[0].text, "policy") == 0) {
		BdmPolicy *p = bdm_policy_load(system_path, user_path, &error);
		result_or_error(p, error);
		if (p)
			use_policy(p, message);
		bdm_policy_free(p);
	} else if (strcmp(parts[0].text, "desk") == 0) {
		BdmDeskConfig *cfg = bdm_desk_config_load(system_path, user_path, &error);
		result_or_error(cfg, error);
		if (cfg)
			use_desk(cfg, message);
		bdm_desk_config_free(cfg);
	} else if (strcmp(parts[0].text, "templates") == 0) {
		BdmTemplates *t = bdm_templates_load(system_path, user_path, &error);
		result_or_error(t, error);
		if (t) {
			GPtrArray *names = bdm_templates_list(t, NULL);
			g_ptr_array_unref(names);
		}
		bdm_templates_free(t);
	}
	g_clear_error(&error);
	fuzz_remove_file(system_path);
	fuzz_remove_file(user_path);
	fuzz_parts_free(parts, n);
	return 0;
}
