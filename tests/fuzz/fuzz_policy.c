/*
 * libFuzzer target: the pre-send policy engine on hostile text.
 *
 * The first byte of the input picks the check's context (platform,
 * automated, whether the customer wrote, a byte or character limit, a
 * window refusal); the rest is the message.  Each message is checked with
 * the built-in policy and with docs/policy.conf.example, and the verdict is
 * described for the agent and turned into JSON, which must parse.
 * The same bytes are also checked as a file to send: the message as its
 * name and as its content (the attachment rules).
 */
#include <stdlib.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "policy.h"
#include "fuzz_input.h"

#ifndef FUZZ_REPO_ROOT
#error "FUZZ_REPO_ROOT must name the source tree (for docs/policy.conf.example)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
	BdmPolicy *builtin;
	BdmPolicy *example;
} Policies;

static const Policies *policies(void)
{
	static Policies p;   /* loaded once, read-only afterwards */
	if (p.builtin == NULL) {
		GError *error = NULL;
		p.builtin = bdm_policy_new_default();
		p.example = bdm_policy_load(FUZZ_REPO_ROOT "/docs/policy.conf.example", NULL, &error);
		if (p.example == NULL)
			g_error("docs/policy.conf.example does not load: %s", error->message);
	}
	return &p;
}

static void check_verdict(const BdmVerdict *v, const char *text)
{
	size_t len = strlen(text);
	BdmVerdictLevel worst = BDM_VERDICT_ALLOW;
	JsonParser *parser;
	char *json, *described;
	guint i;

	for (i = 0; i < v->findings->len; i++) {
		const BdmFinding *f = g_ptr_array_index(v->findings, i);
		if (f->start > f->end || f->end > len || f->rule_id == NULL || f->explanation == NULL)
			abort();
		if (f->severity > worst)
			worst = f->severity;
	}
	if (worst != v->level)
		abort();   /* a verdict is as bad as its worst finding */
	described = bdm_verdict_describe(v, text);
	if (!g_utf8_validate(described, -1, NULL))
		abort();
	json = bdm_verdict_to_json(v);
	parser = json_parser_new();
	if (!json_parser_load_from_data(parser, json, -1, NULL))
		abort();
	g_object_unref(parser);
	g_free(json);
	g_free(described);
}

/* Hostile names (bidi, controls, invalid UTF-8, many dots) and content. */
static void check_attachment(const BdmPolicy *policy, const char *name, const uint8_t *data,
                             size_t size)
{
	BdmAttachmentInput in = { 0 };
	const char *type = NULL;
	BdmVerdict *v;

	in.name = name;
	in.head = data;
	in.head_len = size < BDM_ATTACHMENT_HEAD ? size : BDM_ATTACHMENT_HEAD;
	in.size = size;
	v = bdm_policy_check_attachment(policy, &in, &type);
	if (type == NULL || !g_utf8_validate(type, -1, NULL))
		abort();
	/* Findings of a file are about the whole file: nothing to quote. */
	check_verdict(v, "");
	bdm_verdict_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const platforms[] = { "facebook", "instagram", "x", "" };
	const Policies *p = policies();
	BdmCheckInput in = { 0 };
	unsigned char flags = size > 0 ? data[0] : 0;
	char *text = size > 1 ? g_strndup((const char *)data + 1, size - 1) : g_strdup("");
	BdmVerdict *v;

	in.text = text;
	in.platform = platforms[flags & 3];
	in.account = "1000";
	in.agent = "grace";
	in.automated = (flags & 4) != 0;
	in.customer_has_written = (flags & 8) == 0;
	in.text_limit = (flags & 16) ? 1000 : 2000;
	in.text_limit_in_bytes = (flags & 32) != 0;
	in.window_refusal = (flags & 64) ? "outside the 24-hour window" : NULL;

	v = bdm_policy_check(p->builtin, &in);
	check_verdict(v, text);
	bdm_verdict_free(v);
	v = bdm_policy_check(p->example, &in);
	check_verdict(v, text);
	bdm_verdict_free(v);
	if (size > 1) {
		check_attachment(p->builtin, text, data + 1, size - 1);
		check_attachment(p->example, text, data + 1, size - 1);
	}
	g_free(text);
	return 0;
}
