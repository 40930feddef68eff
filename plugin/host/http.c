/*
 * libcurl multi interface on libpurple's event loop.  See http.h.
 *
 * curl tells us which sockets to watch (socket callback) and when to wake it
 * (timer callback); we translate both into purple_input_add and
 * purple_timeout_add, which Pidgin and Finch implement on their main loops.
 */
#include <string.h>
#include <curl/curl.h>

#include <debug.h>
#include <eventloop.h>

#include "http.h"

#define DEBUG_CAT "branddm-http"
#define CONNECT_TIMEOUT_S 15L
#define TOTAL_TIMEOUT_S 60L

struct BdmHttpCall {
	CURL *easy;
	struct curl_slist *headers;
	GString *body;
	GPtrArray *resp_headers;   /* BdmHeader*, names lower-cased */
	char *safe_url;            /* redacted, for debug output */
	char *method;
	BdmHttpCallback cb;
	gpointer user_data;
	gboolean too_large;
	size_t max_body;           /* bytes; more aborts the transfer */
	guint refuse_timer;        /* pending refusal callback, see refuse_later */
	BdmHttpProgress progress;  /* upload progress listener, may be NULL */
	gpointer progress_data;
	curl_off_t progress_last;  /* bytes last reported */
	char errbuf[CURL_ERROR_SIZE];
};

typedef struct {
	CURLM *multi;
	guint timer;
	GHashTable *calls;         /* BdmHttpCall* set, for shutdown */
} BdmHttpEngine;

static BdmHttpEngine engine;

/* One watched socket: curl may change what it waits for, so we keep the id. */
typedef struct {
	curl_socket_t fd;
	guint input;
} SocketWatch;

static void check_finished(void);

static void free_header(gpointer p)
{
	BdmHeader *h = p;
	g_free(h->name);
	g_free(h->value);
	g_free(h);
}

static void call_free(BdmHttpCall *call)
{
	if (call->easy)
		curl_easy_cleanup(call->easy);
	curl_slist_free_all(call->headers);
	g_string_free(call->body, TRUE);
	g_ptr_array_free(call->resp_headers, TRUE);
	g_free(call->safe_url);
	g_free(call->method);
	g_free(call);
}

static gboolean host_is_loopback(const char *host)
{
	if (g_ascii_strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "[::1]") == 0)
		return TRUE;
	/* 127.0.0.0/8, written as a dotted quad only. */
	if (g_str_has_prefix(host, "127.")) {
		int dots = 0;
		const char *p;
		for (p = host; *p; p++) {
			if (*p == '.')
				dots++;
			else if (!g_ascii_isdigit(*p))
				return FALSE;
		}
		return dots == 3;
	}
	return FALSE;
}

gboolean bdm_http_url_allowed(const char *url)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	gboolean ok = FALSE;

	if (url == NULL)
		return FALSE;
	u = curl_url();
	if (u == NULL)
		return FALSE;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (g_ascii_strcasecmp(scheme, "https") == 0)
			ok = TRUE;
		else if (g_ascii_strcasecmp(scheme, "http") == 0)
			ok = host_is_loopback(host);
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

char *bdm_http_redact_url(const char *url)
{
	static const char *const secret_params[] = {
		"access_token=", "token=", "client_secret=", "appsecret_proof=", NULL
	};
	GString *out;
	const char *q;

	if (url == NULL)
		return g_strdup("(null)");
	q = strchr(url, '?');
	if (q == NULL)
		return g_strdup(url);
	out = g_string_new_len(url, q - url);
	while (*q) {
		const char *end = q + 1 + strcspn(q + 1, "&#");
		const char *param = q + 1;
		int i;
		g_string_append_c(out, *q);
		for (i = 0; secret_params[i]; i++) {
			size_t n = strlen(secret_params[i]);
			/* Match the name at the start of the parameter, so "xtoken=" is kept. */
			if ((size_t)(end - param) >= n && g_ascii_strncasecmp(param, secret_params[i], n) == 0)
				break;
		}
		if (secret_params[i] != NULL)
			g_string_append_printf(out, "%s…", secret_params[i]);
		else
			g_string_append_len(out, param, end - param);
		q = end;
		if (*q == '#') {
			g_string_append(out, q);
			break;
		}
	}
	return g_string_free(out, FALSE);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	BdmHttpCall *call = userp;
	size_t n = size * nmemb;

	if (n > call->max_body || call->body->len > call->max_body - n) {
		call->too_large = TRUE;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	g_string_append_len(call->body, data, n);
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
	BdmHttpCall *call = userp;
	size_t n = size * nmemb;
	const char *colon = memchr(data, ':', n);
	BdmHeader *h;

	/* A new status line (after 100 Continue) starts a new header set. */
	if (n > 5 && g_ascii_strncasecmp(data, "HTTP/", 5) == 0)
		g_ptr_array_set_size(call->resp_headers, 0);
	if (colon == NULL || call->resp_headers->len >= 200)
		return n;
	/* A declared length over the cap ends the call before the body comes. */
	if ((size_t)(colon - data) == 14 && g_ascii_strncasecmp(data, "content-length", 14) == 0) {
		guint64 declared = g_ascii_strtoull(colon + 1, NULL, 10);

		if (declared > call->max_body) {
			call->too_large = TRUE;
			return 0;
		}
	}
	h = g_new0(BdmHeader, 1);
	h->name = g_ascii_strdown(data, colon - data);
	h->value = g_strstrip(g_strndup(colon + 1, n - (colon + 1 - data)));
	g_ptr_array_add(call->resp_headers, h);
	return n;
}

static void on_socket_ready(gpointer data, gint fd, PurpleInputCondition cond)
{
	int running = 0;
	int mask = 0;

	(void)data;
	if (cond & PURPLE_INPUT_READ)
		mask |= CURL_CSELECT_IN;
	if (cond & PURPLE_INPUT_WRITE)
		mask |= CURL_CSELECT_OUT;
	curl_multi_socket_action(engine.multi, fd, mask, &running);
	check_finished();
}

static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	SocketWatch *watch = socketp;
	PurpleInputCondition cond = 0;

	(void)easy;
	(void)userp;
	if (what == CURL_POLL_REMOVE) {
		if (watch) {
			purple_input_remove(watch->input);
			g_free(watch);
			curl_multi_assign(engine.multi, fd, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		cond |= PURPLE_INPUT_READ;
	if (what & CURL_POLL_OUT)
		cond |= PURPLE_INPUT_WRITE;
	if (watch == NULL) {
		watch = g_new0(SocketWatch, 1);
		watch->fd = fd;
		curl_multi_assign(engine.multi, fd, watch);
	} else {
		purple_input_remove(watch->input);
	}
	watch->input = purple_input_add(fd, cond, on_socket_ready, NULL);
	return 0;
}

static gboolean on_timer(gpointer data)
{
	int running = 0;

	(void)data;
	engine.timer = 0;
	curl_multi_socket_action(engine.multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_finished();
	return FALSE;
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	(void)userp;
	if (engine.timer) {
		purple_timeout_remove(engine.timer);
		engine.timer = 0;
	}
	/* Even a zero timeout goes through the loop: curl forbids re-entering here. */
	if (timeout_ms >= 0)
		engine.timer = purple_timeout_add((guint)timeout_ms, on_timer, NULL);
	return 0;
}

static BdmHttpOutcome classify_failure(CURLcode code, BdmHttpCall *call)
{
	curl_off_t uploaded = 0;

	if (call->too_large)
		return BDM_HTTP_TOO_LARGE;
	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
		return BDM_HTTP_NOT_SENT;
	default:
		break;
	}
	/* Nothing of the request went out: the server cannot have acted on it. */
	if (curl_easy_getinfo(call->easy, CURLINFO_REQUEST_SIZE, &uploaded) == CURLE_OK && uploaded == 0)
		return BDM_HTTP_NOT_SENT;
	return BDM_HTTP_AMBIGUOUS;
}

static void finish_call(BdmHttpCall *call, CURLcode code)
{
	BdmHttpResult result;
	char *ctype = NULL;
	long status = 0;
	double seconds = 0;

	memset(&result, 0, sizeof(result));
	curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(call->easy, CURLINFO_TOTAL_TIME, &seconds);
	curl_easy_getinfo(call->easy, CURLINFO_CONTENT_TYPE, &ctype);
	result.seconds = seconds;
	result.response.now = (long long)(g_get_real_time() / G_USEC_PER_SEC);
	if (code == CURLE_OK) {
		result.outcome = BDM_HTTP_OK;
		result.response.status = status;
		result.response.body = call->body->str;
		result.response.body_len = call->body->len;
		result.response.content_type = ctype;
		purple_debug_info(DEBUG_CAT, "%s %s -> %ld (%zu bytes, %.3f s)\n", call->method,
		                  call->safe_url, status, call->body->len, seconds);
	} else {
		result.outcome = classify_failure(code, call);
		result.timed_out = code == CURLE_OPERATION_TIMEDOUT;
		result.partial = code == CURLE_PARTIAL_FILE;
		result.error = call->too_large ? "response too large" :
		               (call->errbuf[0] ? call->errbuf : curl_easy_strerror(code));
		purple_debug_warning(DEBUG_CAT, "%s %s failed: %s\n", call->method, call->safe_url,
		                     result.error);
	}
	/* BdmResponse wants a contiguous header array; build it for the callback. */
	{
		BdmHeader *flat = g_new0(BdmHeader, call->resp_headers->len + 1);
		guint i;
		for (i = 0; i < call->resp_headers->len; i++)
			flat[i] = *(BdmHeader *)g_ptr_array_index(call->resp_headers, i);
		result.response.headers = flat;
		result.response.n_headers = code == CURLE_OK ? call->resp_headers->len : 0;
		call->cb(&result, call->user_data);
		g_free(flat);
	}
}

static void check_finished(void)
{
	CURLMsg *msg;
	int left = 0;

	while ((msg = curl_multi_info_read(engine.multi, &left)) != NULL) {
		BdmHttpCall *call = NULL;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&call);
		curl_multi_remove_handle(engine.multi, msg->easy_handle);
		g_hash_table_remove(engine.calls, call);
		finish_call(call, msg->data.result);
		call_free(call);
	}
}

gboolean bdm_http_init(void)
{
	if (engine.multi != NULL)
		return TRUE;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		purple_debug_error(DEBUG_CAT, "libcurl could not be initialised\n");
		return FALSE;
	}
	engine.multi = curl_multi_init();
	if (engine.multi == NULL) {
		purple_debug_error(DEBUG_CAT, "curl_multi_init failed\n");
		curl_global_cleanup();
		return FALSE;
	}
	curl_multi_setopt(engine.multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(engine.multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	engine.calls = g_hash_table_new(g_direct_hash, g_direct_equal);
	return TRUE;
}

void bdm_http_shutdown(void)
{
	GHashTableIter it;
	gpointer key;

	if (engine.multi == NULL)
		return;
	g_hash_table_iter_init(&it, engine.calls);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		BdmHttpCall *call = key;
		if (call->refuse_timer)
			purple_timeout_remove(call->refuse_timer);
		else
			curl_multi_remove_handle(engine.multi, call->easy);
		call_free(call);
	}
	g_hash_table_destroy(engine.calls);
	if (engine.timer)
		purple_timeout_remove(engine.timer);
	curl_multi_cleanup(engine.multi);
	curl_global_cleanup();
	memset(&engine, 0, sizeof(engine));
}

static gboolean configure_easy(BdmHttpCall *call, const BdmRequest *req, const char *token)
{
	CURL *e = call->easy;
	size_t i;

	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(e, CURLOPT_TIMEOUT,
	                 req->timeout_seconds > 0 ? (long)req->timeout_seconds : TOTAL_TIMEOUT_S);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "BrandDM/" BRANDDM_VERSION);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, call);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, call->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, call);

	if (g_ascii_strcasecmp(req->method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, req->body ? req->body : "");
	} else if (g_ascii_strcasecmp(req->method, "GET") != 0) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	}
	for (i = 0; i < req->n_headers; i++) {
		char *line;
		/* The module must not smuggle credentials or split headers. */
		if (g_ascii_strcasecmp(req->headers[i].name, "Authorization") == 0 ||
		    strpbrk(req->headers[i].name, "\r\n:") || strpbrk(req->headers[i].value, "\r\n"))
			return FALSE;
		line = g_strdup_printf("%s: %s", req->headers[i].name, req->headers[i].value);
		call->headers = curl_slist_append(call->headers, line);
		g_free(line);
	}
	if (req->content_type) {
		char *line = g_strdup_printf("Content-Type: %s", req->content_type);
		call->headers = curl_slist_append(call->headers, line);
		g_free(line);
	}
	call->headers = curl_slist_append(call->headers, "Expect:");
	if (token != NULL) {
		char *line;
		if (strpbrk(token, "\r\n"))
			return FALSE;
		line = g_strdup_printf("Authorization: Bearer %s", token);
		call->headers = curl_slist_append(call->headers, line);
		memset(line, 0, strlen(line));
		g_free(line);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, call->headers);
	return TRUE;
}

/* curl calls this many times a second; the listener hears of each change only. */
static int on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	BdmHttpCall *call = clientp;

	(void)dltotal;
	(void)dlnow;
	if (ulnow != call->progress_last && ultotal > 0) {
		call->progress_last = ulnow;
		call->progress((guint64)ulnow, (guint64)ultotal, call->progress_data);
	}
	return 0;
}

static gboolean refuse_later(gpointer data)
{
	BdmHttpCall *call = data;
	BdmHttpResult result;

	call->refuse_timer = 0;
	memset(&result, 0, sizeof(result));
	result.outcome = BDM_HTTP_REFUSED;
	result.error = call->errbuf;
	result.response.now = (long long)(g_get_real_time() / G_USEC_PER_SEC);
	g_hash_table_remove(engine.calls, call);
	call->cb(&result, call->user_data);
	call_free(call);
	return FALSE;
}

BdmHttpCall *bdm_http_start(const BdmRequest *req, const char *token,
                            BdmHttpCallback cb, gpointer user_data)
{
	return bdm_http_start_capped(req, token, BDM_HTTP_MAX_BODY, cb, user_data);
}

BdmHttpCall *bdm_http_start_capped(const BdmRequest *req, const char *token, size_t max_body,
                                   BdmHttpCallback cb, gpointer user_data)
{
	return bdm_http_start_upload(req, token, max_body, NULL, NULL, cb, user_data);
}

BdmHttpCall *bdm_http_start_upload(const BdmRequest *req, const char *token, size_t max_body,
                                   BdmHttpProgress progress, gpointer progress_data,
                                   BdmHttpCallback cb, gpointer user_data)
{
	BdmHttpCall *call;

	g_return_val_if_fail(engine.multi != NULL, NULL);
	g_return_val_if_fail(req != NULL && req->url != NULL && req->method != NULL, NULL);

	call = g_new0(BdmHttpCall, 1);
	call->body = g_string_new(NULL);
	call->max_body = MIN(max_body, (size_t)BDM_HTTP_MAX_BODY);
	call->resp_headers = g_ptr_array_new_with_free_func(free_header);
	call->safe_url = bdm_http_redact_url(req->url);
	call->method = g_strdup(req->method);
	call->cb = cb;
	call->user_data = user_data;
	call->easy = curl_easy_init();
	g_hash_table_add(engine.calls, call);

	/* Refusals call back from the loop too, so callers see one code path. */
	if (!bdm_http_url_allowed(req->url)) {
		g_strlcpy(call->errbuf, "refused: only https, or http to a loopback address, is allowed",
		          sizeof(call->errbuf));
		purple_debug_error(DEBUG_CAT, "%s %s %s\n", req->method, call->safe_url, call->errbuf);
		call->refuse_timer = purple_timeout_add(0, refuse_later, call);
		return call;
	}
	if (call->easy == NULL || !configure_easy(call, req, token)) {
		g_strlcpy(call->errbuf, "refused: invalid request headers", sizeof(call->errbuf));
		purple_debug_error(DEBUG_CAT, "%s %s %s\n", req->method, call->safe_url, call->errbuf);
		call->refuse_timer = purple_timeout_add(0, refuse_later, call);
		return call;
	}
	if (progress != NULL) {
		call->progress = progress;
		call->progress_data = progress_data;
		curl_easy_setopt(call->easy, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(call->easy, CURLOPT_XFERINFODATA, call);
		curl_easy_setopt(call->easy, CURLOPT_NOPROGRESS, 0L);
	}
	purple_debug_misc(DEBUG_CAT, "%s %s\n", req->method, call->safe_url);
	curl_multi_add_handle(engine.multi, call->easy);
	return call;
}

void bdm_http_cancel(BdmHttpCall *call)
{
	if (call == NULL || !g_hash_table_remove(engine.calls, call))
		return;
	if (call->refuse_timer)
		purple_timeout_remove(call->refuse_timer);
	else if (call->easy)
		curl_multi_remove_handle(engine.multi, call->easy);
	call_free(call);
}
