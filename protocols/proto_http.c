/*
 * HTTP request and response helpers: see proto_http.h.
 */
#include "branddm/i18n.h"
#include "proto_http.h"
#include "proto_json.h"
#include "proto_time.h"

void proto_request_init(BdmRequest *out, const char *method, char *url, int idempotent)
{
	out->method = g_strdup(method);
	out->url = url;
	out->idempotent = idempotent;
	bdm_request_add_header(out, "Accept", "application/json");
}

void proto_request_set_json(BdmRequest *out, JsonNode *body)
{
	size_t len = 0;

	g_free(out->body);
	g_free(out->content_type);
	out->body = proto_json_to_string(body, &len);
	out->body_len = len;
	out->content_type = g_strdup("application/json");
}

gboolean proto_status_ok(long status)
{
	return status >= 200 && status < 300;
}

int proto_error_from_status(const BdmResponse *resp, const char *platform,
                            const char *detail, BdmError *err)
{
	long status = resp->status;
	BdmErrorClass cls;
	char *fallback = NULL;

	if (status == 0) {
		cls = BDM_ERR_TRANSIENT;
		fallback = g_strdup_printf(_("No answer from %s (network problem or timeout)."),
		                           platform);
	} else if (status == 401) {
		cls = BDM_ERR_AUTH;
		fallback = g_strdup_printf(_("%s did not accept the access token."), platform);
	} else if (status == 403) {
		cls = BDM_ERR_REFUSED;
		fallback = g_strdup_printf(_("%s refused the request (HTTP 403: no permission)."),
		                           platform);
	} else if (status == 429) {
		cls = BDM_ERR_RATE_LIMIT;
		fallback = g_strdup_printf(_("%s is limiting how often BrandDM may call it; "
		                             "retrying later."), platform);
	} else if (status == 408 || (status >= 500 && status < 600)) {
		cls = BDM_ERR_TRANSIENT;
		fallback = g_strdup_printf(_("%s had a temporary problem (HTTP %ld)."),
		                           platform, status);
	} else if ((status >= 400 && status < 500) || proto_status_ok(status)) {
		/* A 2xx lands here only when its body held an error we could not
		 * place: treat it like any request the platform will not take. */
		cls = BDM_ERR_INVALID;
		fallback = g_strdup_printf(_("%s rejected the request (HTTP %ld)."),
		                           platform, status);
	} else {
		cls = BDM_ERR_MALFORMED;
		fallback = g_strdup_printf(_("%s answered with unexpected HTTP status %ld."),
		                           platform, status);
	}
	bdm_error_set(err, cls, 0, detail && *detail ? detail : fallback);
	g_free(fallback);
	if (cls == BDM_ERR_RATE_LIMIT)
		err->retry_after = proto_retry_after(resp, 60);
	return -1;
}

gboolean proto_header_int(const BdmResponse *resp, const char *name, long long *out)
{
	const char *value = bdm_response_header(resp, name);
	char *trimmed;
	gint64 v;
	gboolean ok;

	if (!value)
		return FALSE;
	trimmed = g_strstrip(g_strdup(value));
	ok = g_ascii_string_to_signed(trimmed, 10, G_MININT64, G_MAXINT64, &v, NULL);
	g_free(trimmed);
	if (ok)
		*out = v;
	return ok;
}

long long proto_retry_after(const BdmResponse *resp, long long fallback)
{
	long long wait = proto_time_retry_after(bdm_response_header(resp, "retry-after"),
	                                        resp->now);

	if (wait < 0)
		wait = fallback;
	return wait < 1 ? 1 : wait;
}
