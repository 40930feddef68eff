/*
 * libFuzzer target: a protocol module's response parsers.
 *
 * Built once per module (FUZZ_MODULE names it; the module's sources are
 * linked in and its branddm_module_entry() is called, as the loader does).
 * The input is what a hostile or broken platform could send:
 *
 *     <op> <status> [<now>]
 *     header-name: value
 *     ...
 *     %%
 *     body bytes
 *
 * op: w = parse_whoami, p = parse_poll (then build_poll with every cursor it
 * returned: the URL built must lead to the API's own origin as libcurl, which
 * will carry the token there, reads it), s = parse_send,
 * c = build_poll with the body as cursor, t = check_send and build_send with
 * the body as the agent's text, u = parse_upload (modules that send files).  Everything a parser returns is read back,
 * so AddressSanitizer sees any string it left dangling or unterminated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "branddm/protocol.h"
#include "fuzz_input.h"

const BdmModule *branddm_module_entry(void);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW 1795000000LL   /* 2026-11-18: messages in seeds are near it */
#define FUZZ_MAX_HEADERS 32

/* The account the parsers work for: the brand ids the seeds use. */
static const char *fuzz_option(const BdmAccountCtx *ctx, const char *key)
{
	(void)ctx;
	if (strcmp(key, "instagram_id") == 0)
		return "1784000";
	return NULL;
}

static void account_for(const BdmModule *m, BdmAccountCtx *ctx, long long now)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->api_base = m->default_api_base;
	ctx->account_id = strcmp(m->platform, "x") == 0 ? "2000" :
	                  strcmp(m->platform, "instagram") == 0 ? "1784000" : "1000";
	ctx->self_id = ctx->account_id;
	ctx->now = now;
	ctx->get_option = fuzz_option;
	bdm_ctx_bind(ctx, m);
}

/* Read every byte of a string a module handed out. */
static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static size_t touch_error(const BdmError *err)
{
	return touch(err->message) + (size_t)err->cls;
}

static size_t touch_request(const BdmRequest *req)
{
	size_t n = touch(req->method) + touch(req->url) + touch(req->content_type), i;

	for (i = 0; i < req->n_headers; i++)
		n += touch(req->headers[i].name) + touch(req->headers[i].value);
	if (req->body != NULL && req->body_len > 0)
		n += (unsigned char)req->body[req->body_len - 1];
	/* The host's rule: a request never carries the token (it has none to leak)
	 * and a module never sets Authorization itself. */
	for (i = 0; i < req->n_headers; i++)
		if (g_ascii_strcasecmp(req->headers[i].name, "Authorization") == 0)
			abort();
	return n;
}

static size_t touch_page(const BdmPollPage *page)
{
	size_t n = 0, i;

	for (i = 0; i < page->n_conversations; i++)
		n += touch(page->conversations[i].id) + touch(page->conversations[i].customer_id) +
		     touch(page->conversations[i].customer_name);
	for (i = 0; i < page->n_messages; i++) {
		const BdmMessage *msg = &page->messages[i];
		n += touch(msg->id) + touch(msg->conversation_id) + touch(msg->sender_id) +
		     touch(msg->sender_name) + touch(msg->recipient_id) + touch(msg->text);
		/* Text goes to libpurple and the log as UTF-8: a parser must not pass
		 * on bytes that are not. */
		if (msg->text && !g_utf8_validate(msg->text, -1, NULL))
			abort();
	}
	for (i = 0; i < page->n_next; i++)
		n += touch(page->next[i]);
	for (i = 0; i < page->n_attachments; i++) {
		const BdmAttachment *a = &page->attachments[i];

		n += touch(a->message_id) + touch(a->url) + touch(a->name) + touch(a->mime_type) +
		     touch(a->platform_id) + touch(a->preview_url);
		/* Every attachment belongs to a message of the page, with a link
		 * (the host fetches it) and sane declared numbers. */
		if (!a->message_id || !a->url || a->size < 0 || a->width < 0 || a->height < 0 ||
		    (unsigned)a->kind > BDM_ATTACHMENT_STICKER)
			abort();
		if (a->name && !g_utf8_validate(a->name, -1, NULL))
			abort();
	}
	return n;
}

/* "name: value" lines up to the end of the head; the host lower-cases names. */
static size_t parse_headers(char *head, BdmHeader *headers)
{
	size_t n = 0;
	char *line, *save = NULL;

	for (line = strtok_r(head, "\n", &save); line && n < FUZZ_MAX_HEADERS;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		if (colon == NULL)
			continue;
		*colon = '\0';
		headers[n].name = g_ascii_strdown(line, -1);
		headers[n].value = g_strstrip(g_strdup(colon + 1));
		n++;
	}
	return n;
}

/* scheme://host:port of url as libcurl parses it; NULL when curl refuses it. */
static char *curl_origin(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *origin = NULL;

	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
		origin = g_strdup_printf("%s://%s:%s", scheme, host, port);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return origin;
}

/* Follow every cursor a poll page returned, as the poller does. */
static void build_cursors(const BdmModule *m, const BdmAccountCtx *ctx, const BdmPollPage *page)
{
	size_t i;

	for (i = 0; i < page->n_next; i++) {
		BdmRequest req = { 0 };
		BdmError err = { 0 };
		if (m->build_poll(ctx, page->next[i], &req, &err) == 0) {
			char *want = curl_origin(ctx->api_base), *got;
			touch_request(&req);
			/* A cursor may only lead back to the account's own API origin:
			 * GLib checked it, libcurl connects, so both must agree. */
			got = req.url ? curl_origin(req.url) : NULL;
			if (got != NULL && g_ascii_strcasecmp(got, want) != 0) {
				fprintf(stderr, "cursor %s leads to %s, not %s\n", page->next[i], got, want);
				abort();
			}
			g_free(want);
			g_free(got);
		}
		touch_error(&err);
		bdm_request_clear(&req);
		bdm_error_clear(&err);
	}
}

static void run_send_text(const BdmModule *m, const BdmAccountCtx *ctx, const char *text,
                          long long now)
{
	BdmSendInput in = { 0 };
	BdmRequest req = { 0 };
	BdmError err = { 0 };

	in.recipient_id = "5001";
	in.conversation_id = "t_5001";
	in.text = text;
	in.last_customer_message = now - 3600;
	m->check_send(ctx, &in, &err);
	touch_error(&err);
	bdm_error_clear(&err);
	if (m->build_send(ctx, &in, &req, &err) == 0)
		touch_request(&req);
	touch_error(&err);
	bdm_request_clear(&req);
	bdm_error_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const BdmModule *m = branddm_module_entry();
	FuzzPart parts[FUZZ_MAX_PARTS];
	size_t n = fuzz_split(data, size, parts), n_headers;
	BdmHeader headers[FUZZ_MAX_HEADERS];
	BdmAccountCtx ctx;
	BdmResponse resp;
	BdmError err = { 0 };
	char op = 0, *head, *first_end, *body;
	long status = 0;
	long long now = FUZZ_NOW;

	if (n < 2) {
		fuzz_parts_free(parts, n);
		return 0;
	}
	head = parts[0].text;
	first_end = strchr(head, '\n');
	if (first_end)
		*first_end = '\0';
	if (sscanf(head, " %c %ld %lld", &op, &status, &now) < 2)
		status = 200;
	/* The host's clock: Unix seconds from g_get_real_time(), never negative. */
	if (now < 0)
		now = -(now + 1);
	n_headers = parse_headers(first_end ? first_end + 1 : head + strlen(head), headers);

	account_for(m, &ctx, now);
	memset(&resp, 0, sizeof(resp));
	resp.status = status;
	/* The host hands parsers the bytes it got, NUL or not: give exactly those. */
	body = g_memdup2(parts[n - 1].text, parts[n - 1].len);
	resp.body = body;
	resp.body_len = parts[n - 1].len;
	resp.content_type = bdm_response_header(&(BdmResponse){ .headers = headers,
	                                                         .n_headers = n_headers },
	                                        "content-type");
	resp.headers = headers;
	resp.n_headers = n_headers;
	resp.now = now;

	if (op == 'w') {
		BdmIdentity id = { 0 };
		if (m->parse_whoami(&ctx, &resp, &id, &err) == 0 && id.id == NULL)
			abort();   /* success must name the account */
		touch(id.id);
		touch(id.name);
		bdm_identity_clear(&id);
	} else if (op == 'p') {
		BdmPollPage page = { 0 };
		if (m->parse_poll(&ctx, &resp, &page, &err) == 0) {
			touch_page(&page);
			build_cursors(m, &ctx, &page);
		}
		bdm_poll_page_clear(&page);
	} else if (op == 's') {
		BdmSendResult sent = { 0 };
		if (m->parse_send(&ctx, &resp, &sent, &err) == 0 && sent.message_id == NULL)
			abort();   /* a confirmed send has an id to log */
		touch(sent.message_id);
		touch(sent.conversation_id);
		bdm_send_result_clear(&sent);
	} else if (op == 'c') {
		BdmRequest req = { 0 };
		if (m->build_poll(&ctx, parts[n - 1].text, &req, &err) == 0)
			touch_request(&req);
		bdm_request_clear(&req);
	} else if (op == 'u' && BDM_MODULE_HAS(m, parse_upload)) {
		BdmUploadResult up = { 0 };
		if (m->parse_upload(&ctx, &resp, &up, &err) == 0 && up.attachment_id == NULL)
			abort();   /* a confirmed upload has an id to send */
		touch(up.attachment_id);
		bdm_upload_result_clear(&up);
	} else if (op == 't') {
		run_send_text(m, &ctx, parts[n - 1].text, now);
	}
	/* A failure must say what kind it is, and a wait must be a sane one. */
	if (err.cls != BDM_ERR_NONE && (err.retry_after < 0 || err.retry_after > G_MAXINT32))
		abort();
	touch_error(&err);
	bdm_error_clear(&err);
	while (n_headers > 0) {
		n_headers--;
		g_free(headers[n_headers].name);
		g_free(headers[n_headers].value);
	}
	g_free(body);
	fuzz_parts_free(parts, n);
	return 0;
}
