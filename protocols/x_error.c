/*
 * X API error classification.
 *
 * X v2 answers failures with RFC 7807 problem+json ({"title", "detail",
 * "type", "status"}) and a meaningful HTTP status, so the status decides the
 * class.  The exception is UsageCapExceeded: it arrives as a 429 but means
 * the app's monthly cap is spent, so retrying only burns more requests.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "proto_http.h"
#include "proto_json.h"
#include "x.h"

/* Seconds in X's longest rate-limit window (sends: 1000 per 24 hours). */
#define X_MAX_RESET_WAIT (24 * 3600LL)

static gboolean usage_capped(JsonObject *problem)
{
	const char *title = proto_json_get_string(problem, "title");
	const char *type = proto_json_get_string(problem, "type");

	return (title && strstr(title, "UsageCapExceeded")) ||
	       (type && (strstr(type, "UsageCapExceeded") || strstr(type, "usage-capped")));
}

/* The most useful human-readable text X gave: detail, title, or the first
 * entry of an "errors" list (older and partial-error shapes).  An
 * invalid-request detail is only "One or more parameters to your request
 * was invalid."; the entry says which and why ("media type unrecognized."),
 * so both are given.  Newly allocated, NULL when X gave no text. */
static char *problem_text(JsonObject *problem)
{
	JsonObject *first = proto_json_array_object(proto_json_get_array(problem, "errors"), 0);
	const char *candidates[4], *entry;
	size_t i;

	candidates[0] = proto_json_get_string(problem, "detail");
	candidates[1] = proto_json_get_string(problem, "title");
	candidates[2] = proto_json_get_string(first, "detail");
	candidates[3] = proto_json_get_string(first, "message");
	entry = candidates[3] && *candidates[3] ? candidates[3] : candidates[2];
	for (i = 0; i < G_N_ELEMENTS(candidates); i++) {
		if (!candidates[i] || !*candidates[i])
			continue;
		if (i < 2 && entry && *entry && strcmp(entry, candidates[i]) != 0)
			return g_strdup_printf("%s %s", candidates[i], entry);
		return g_strdup(candidates[i]);
	}
	return NULL;
}

static void classify(const BdmResponse *resp, JsonObject *problem, BdmError *err)
{
	char *text = problem_text(problem);
	long long reset;

	if (usage_capped(problem)) {
		char *msg = g_strdup_printf(_("X refuses further requests: the app's usage cap "
		                              "is used up (%s). Retrying will not help until "
		                              "the cap resets."),
		                            text ? text : "UsageCapExceeded");

		bdm_error_set(err, BDM_ERR_REFUSED, 0, msg);
		g_free(msg);
		g_free(text);
		return;
	}
	proto_error_from_status(resp, X_SERVICE, text, err);
	g_free(text);
	if (err->cls == BDM_ERR_RATE_LIMIT && proto_header_int(resp, "x-rate-limit-reset", &reset)) {
		/* X says when the window resets, in Unix seconds.  Compared before
		 * subtracting (a hostile value must not overflow), and capped: X's
		 * longest window is a day, so more is clock skew, not a plan. */
		if (reset <= resp->now)
			err->retry_after = 1;
		else
			err->retry_after = MIN(reset - resp->now, X_MAX_RESET_WAIT);
	}
}

JsonNode *x_check_response(const BdmResponse *resp, BdmError *err)
{
	BdmError parse_err = { 0 };
	JsonNode *root = NULL;
	JsonObject *obj;

	if (resp->status == 0) {
		proto_error_from_status(resp, X_SERVICE, NULL, err);
		return NULL;
	}
	root = proto_json_parse(resp->body, resp->body_len, &parse_err);
	obj = proto_json_object(root);

	if (!proto_status_ok(resp->status)) {
		classify(resp, obj, err);
	} else if (!root) {
		bdm_error_set(err, BDM_ERR_MALFORMED, 0, parse_err.message);
	} else if (!obj) {
		bdm_error_set(err, BDM_ERR_MALFORMED, 0, _("The X response is not a JSON object."));
	} else if (!json_object_has_member(obj, "data") && !json_object_has_member(obj, "meta") &&
	           proto_json_get_array(obj, "errors")) {
		/* A 200 holding only errors: X refused every part of it. */
		char *text = problem_text(obj);

		bdm_error_set(err, BDM_ERR_INVALID, 0,
		              text ? text : _("X answered with errors and no data."));
		g_free(text);
	} else {
		bdm_error_clear(&parse_err);
		return root;
	}
	bdm_error_clear(&parse_err);
	if (root)
		json_node_unref(root);
	return NULL;
}
