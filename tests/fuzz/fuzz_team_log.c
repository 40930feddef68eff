/*
 * libFuzzer target: what goes between a client, the team database and
 * branddm-admin for the central log.
 *
 *   - A record made of the input (texts of any bytes, invalid UTF-8
 *     included, any detail) is encoded as the ship statement's array
 *     parameters (plugin/core/team_log.c); each array literal must parse
 *     back, with PostgreSQL's rules, to the values that went in, so no text
 *     can end an element early or inject another.
 *   - The input is decoded as a bytea column in hex output
 *     (bdm_admin_pg_bytea in tools/admin_pg.c), which must accept exactly
 *     "\x" and 64 hex digits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admin_pg.h"
#include "team_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse one element of an array literal at *p (after '{' or ','): a quoted
 * string (NULL *out for the bare NULL); advances past it. */
static gboolean parse_element(const char **p, char **out)
{
	GString *s;

	if (strncmp(*p, "NULL", 4) == 0) {
		*p += 4;
		*out = NULL;
		return TRUE;
	}
	if (**p != '"')
		return FALSE;
	s = g_string_new(NULL);
	for ((*p)++; **p && **p != '"'; (*p)++) {
		if (**p == '\\')
			(*p)++;
		if (!**p)
			break;
		g_string_append_c(s, **p);
	}
	if (**p != '"') {
		g_string_free(s, TRUE);
		return FALSE;
	}
	(*p)++;
	*out = g_string_free(s, FALSE);
	return TRUE;
}

/* The one element of literal "{...}" equals want (NULL: NULL). */
static void check_single(const char *literal, const char *want)
{
	const char *p = literal;
	char *got = NULL;

	if (*p++ != '{' || !parse_element(&p, &got) || strcmp(p, "}") != 0)
		abort();
	if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0))
		abort();
	g_free(got);
}

static void fuzz_batch(const char *text, const char *detail)
{
	BdmTeamLogBatch *batch = bdm_team_log_batch_new();
	BdmLogRecord r = { 0 };
	const char *const *params;
	char *valid_text = g_utf8_make_valid(text, -1);
	char *valid_detail = g_utf8_make_valid(detail, -1);

	r.id = 1;
	r.kind = "message";
	r.direction = BDM_DIR_OUT;
	r.text = text;
	r.detail_json = detail;
	r.agent = "fuzz";
	bdm_team_log_batch_add(batch, &r);
	params = bdm_team_log_batch_params(batch, "chain");
	/* Invalid UTF-8 goes up repaired, valid text unchanged. */
	check_single(params[9], g_utf8_validate(text, -1, NULL) ? text : valid_text);
	check_single(params[15], g_utf8_validate(detail, -1, NULL) ? detail : valid_detail);
	check_single(params[3], NULL);
	bdm_team_log_batch_free(batch);
	g_free(valid_text);
	g_free(valid_detail);
}

static void fuzz_bytea(const char *text)
{
	guint8 out[32];
	gboolean ok = bdm_admin_pg_bytea(text, out, sizeof out);
	gboolean well_formed = strlen(text) == 66 && text[0] == '\\' && text[1] == 'x' &&
	                       strspn(text + 2, "0123456789abcdefABCDEF") == 64;

	if (ok != well_formed)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *input = g_strndup((const char *)data, size);
	char *split = strchr(input, '\n');

	fuzz_bytea(input);
	if (split)
		*split++ = '\0';
	fuzz_batch(input, split ? split : "");
	g_free(input);
	return 0;
}
