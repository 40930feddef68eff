/*
 * Graph API error classification.
 *
 * Graph answers many different failures with HTTP 400, and a few with 200,
 * so the class comes from error.code and error.error_subcode; the HTTP status
 * decides only when no Graph error object came back (a proxy page, a 502).
 * Two older shapes are read too, as recorded from the live service in
 * public issue threads: an error object without a code whose message
 * begins "(#613)" (also written "(# 613)"), and the REST API's top-level
 * {"error_code": 613, "error_msg": "..."}, which came with HTTP 200.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "graph.h"
#include "proto_http.h"
#include "proto_json.h"

/* Subcodes of code 10 meaning "outside the allowed reply window":
 * Messenger's (2018278; 2018065, "sent outside of allowed window" without
 * the subscription messaging permission) and Instagram's. */
#define GRAPH_SUB_OUTSIDE_WINDOW 2018278
#define GRAPH_SUB_OUTSIDE_WINDOW_PERMISSION 2018065
#define GRAPH_SUB_IG_OUTSIDE_WINDOW 2534022

static BdmErrorClass class_for_code(gint64 code, gint64 subcode)
{
	switch (code) {
	case 102:
	case 190:
	case 2500:  /* "An active access token must be used ..." */
		return BDM_ERR_AUTH;
	case 4:
	case 17:
	case 32:
	case 613:
		return BDM_ERR_RATE_LIMIT;
	case 1:
	case 2:
		return BDM_ERR_TRANSIENT;
	case 10:
		if (subcode == GRAPH_SUB_OUTSIDE_WINDOW || subcode == GRAPH_SUB_IG_OUTSIDE_WINDOW ||
		    subcode == GRAPH_SUB_OUTSIDE_WINDOW_PERMISSION)
			return BDM_ERR_WINDOW;
		return BDM_ERR_REFUSED;
	case 100:
		return BDM_ERR_INVALID;
	case 368:
	case 551:
		return BDM_ERR_REFUSED;
	default:
		break;
	}
	/* 200-299 are all permission errors; 80001-80014 are the business
	 * use-case rate limits that Pages, Messenger and Instagram hit. */
	if (code >= 200 && code <= 299)
		return BDM_ERR_REFUSED;
	if (code >= 80001 && code <= 80014)
		return BDM_ERR_RATE_LIMIT;
	return BDM_ERR_NONE;
}

static int clamp_int(gint64 v)
{
	/* Graph codes are small and positive; json-glib wraps huge numbers,
	 * often to negative ones, so anything else is no real code. */
	return v >= 0 && v <= G_MAXINT ? (int)v : 0;
}

/* "(#613) Calls to this api ..." or "(# 613) ...": the code a message
 * starts with, 0 when it starts with none. */
static gint64 code_in_message(const char *text)
{
	char *end;
	gint64 v;

	if (text == NULL || strncmp(text, "(#", 2) != 0)
		return 0;
	text += 2;
	while (*text == ' ')
		text++;
	if (!g_ascii_isdigit(*text))
		return 0;
	v = g_ascii_strtoll(text, &end, 10);
	return *end == ')' ? v : 0;
}

static int classify(const GraphFlavor *flavor, const BdmResponse *resp,
                    JsonObject *error, BdmError *err)
{
	gint64 code = 0, subcode = 0;
	const char *text;
	char *fallback;
	BdmErrorClass cls;

	proto_json_get_int(error, "code", &code);
	proto_json_get_int(error, "error_subcode", &subcode);
	if (code == 0)
		proto_json_get_int(error, "error_code", &code);
	if (code == 0)
		code = code_in_message(proto_json_get_string(error, "message"));
	code = clamp_int(code);
	subcode = clamp_int(subcode);

	/* error_user_msg is written for end users; message is for developers. */
	text = proto_json_get_string(error, "error_user_msg");
	if (!text || !*text)
		text = proto_json_get_string(error, "message");
	if (!text || !*text)
		text = proto_json_get_string(error, "error_msg");
	/* TRANSLATORS: 1: Facebook or Instagram, 2: numeric error code. */
	fallback = g_strdup_printf(_("%s reported error %d."), flavor->service, (int)code);
	if (!text || !*text)
		text = fallback;

	cls = class_for_code(code, subcode);
	if (cls == BDM_ERR_NONE && proto_json_get_bool(error, "is_transient"))
		cls = BDM_ERR_TRANSIENT;
	if (cls == BDM_ERR_NONE)
		proto_error_from_status(resp, flavor->service, text, err);
	else
		bdm_error_set(err, cls, 0, text);
	g_free(fallback);

	err->code = (int)code;
	err->subcode = (int)subcode;
	if (err->cls == BDM_ERR_RATE_LIMIT)
		err->retry_after = proto_retry_after(resp, 60);
	return -1;
}

JsonNode *graph_check_response(const GraphFlavor *flavor, const BdmResponse *resp,
                               BdmError *err)
{
	BdmError parse_err = { 0 };
	JsonObject *error;
	JsonNode *root = NULL;

	if (resp->status == 0) {
		proto_error_from_status(resp, flavor->service, NULL, err);
		return NULL;
	}
	root = proto_json_parse(resp->body, resp->body_len, &parse_err);

	error = proto_json_get_object(proto_json_object(root), "error");
	if (error) {
		classify(flavor, resp, error, err);
	} else if (proto_json_object(root) &&
	           json_object_has_member(proto_json_object(root), "error_code")) {
		/* The REST API's shape: the error's members at the top. */
		classify(flavor, resp, proto_json_object(root), err);
	} else if (!proto_status_ok(resp->status)) {
		proto_error_from_status(resp, flavor->service, NULL, err);
	} else if (!root) {
		bdm_error_set(err, BDM_ERR_MALFORMED, 0, parse_err.message);
	} else if (!proto_json_object(root)) {
		char *msg = g_strdup_printf(_("The %s response is not a JSON object."),
		                            flavor->service);

		bdm_error_set(err, BDM_ERR_MALFORMED, 0, msg);
		g_free(msg);
	} else {
		bdm_error_clear(&parse_err);
		return root;
	}
	bdm_error_clear(&parse_err);
	if (root)
		json_node_unref(root);
	return NULL;
}
