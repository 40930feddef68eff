/*
 * BrandDM protocol-module ABI.
 *
 * A protocol module is a shared object (file extension ".bdm") that teaches
 * the branddm loader plugin one messaging platform.  Modules are "sans-I/O":
 * they only turn intentions into HTTP request descriptions and HTTP responses
 * into plain structs.  The plugin owns every socket, timer and libpurple call,
 * which is what lets the modules be unit-tested and fuzzed on their own.
 *
 * Versioning follows SQLite's sqlite3_vfs: the module fills BdmModule with the
 * abi_version it was built against and sizeof(BdmModule) in struct_size.  New
 * fields are only ever appended; a host reads a field only when both the
 * version and the size say it is there.  A host refuses a module whose
 * abi_version is newer than it knows or older than BDM_ABI_VERSION_MIN.
 * Read optional or newer fields with BDM_MODULE_HAS() only.
 *
 * The account context (BdmAccountCtx) is the host's: a module only reads
 * it, so the host may append fields to it freely.  A module built against
 * version N sees the fields of version N, and a host never runs a module
 * newer than itself, so every field a module knows of is there.
 *
 * Memory: every string and array a module hands out is allocated with GLib
 * (g_malloc/g_strdup) and released by the host with the bdm_*_clear()
 * helpers below, so host and module must share one GLib, as they do in a
 * libpurple process.  Modules never see the access token: the host adds the
 * "Authorization: Bearer" header itself, which keeps tokens out of every
 * string a module builds and therefore out of debug output.
 */
#ifndef BRANDDM_PROTOCOL_H
#define BRANDDM_PROTOCOL_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <glib.h>

#ifdef __cplusplus
extern "C" {
#endif

/** First four bytes of every BdmModule: "BDM1" — rejects a stray symbol. */
#define BDM_MODULE_MAGIC 0x42444d31u
/** The ABI version this header describes; modules set abi_version to it. */
#define BDM_ABI_VERSION 2
/** The oldest module ABI a host built from this header still accepts. */
#define BDM_ABI_VERSION_MIN 1
/** Name of the one symbol a module exports: const BdmModule *(*)(void). */
#define BDM_MODULE_ENTRY_SYMBOL "branddm_module_entry"
/** File extension of module files in the libpurple plugin search path. */
#define BDM_MODULE_EXTENSION "bdm"

/* ---- errors ------------------------------------------------------------ */

/** What kind of failure a response was; the host's reaction depends on it. */
typedef enum {
	BDM_ERR_NONE = 0,
	BDM_ERR_AUTH,       /* token invalid or expired: stop, ask for a new one */
	BDM_ERR_RATE_LIMIT, /* throttled: wait retry_after seconds, then retry */
	BDM_ERR_WINDOW,     /* platform rules refuse this send (reply window) */
	BDM_ERR_INVALID,    /* the request itself is wrong: do not retry */
	BDM_ERR_TRANSIENT,  /* server trouble or timeout: retry with backoff */
	BDM_ERR_MALFORMED,  /* the response could not be understood */
	BDM_ERR_REFUSED     /* permanent refusal (permission, cap, blocked user) */
} BdmErrorClass;

/** A classified failure; message is plain text for the agent (not markup). */
typedef struct {
	BdmErrorClass cls;
	int code;               /* platform error code, 0 if none */
	int subcode;            /* platform error subcode, 0 if none */
	long long retry_after;  /* seconds to wait (RATE_LIMIT/TRANSIENT), 0 = host decides */
	char *message;          /* g_malloc'ed, may be NULL */
} BdmError;

/* ---- HTTP descriptions -------------------------------------------------- */

/** One HTTP header; names in responses are lower-cased by the host. */
typedef struct {
	char *name;
	char *value;
} BdmHeader;

/** A request the host should perform; the host adds the bearer token. */
typedef struct {
	char *method;           /* "GET" or "POST" */
	char *url;              /* absolute URL, never containing the token */
	BdmHeader *headers;     /* extra headers (not Authorization) */
	size_t n_headers;
	char *body;             /* NULL for none */
	size_t body_len;
	char *content_type;     /* of body, NULL for none */
	int idempotent;         /* non-zero: safe to repeat after a transient failure */
	/* ---- ABI version 2 (a v1 module leaves it 0: the host's default) ---- */
	int timeout_seconds;    /* whole-request time limit; 0 = host default */
} BdmRequest;

/** What the host received; all pointers stay valid only during the parse call. */
typedef struct {
	long status;            /* HTTP status, 0 when no response arrived */
	const char *body;       /* not NUL-terminated necessarily: use body_len */
	size_t body_len;
	const char *content_type;
	const BdmHeader *headers;  /* lower-case names */
	size_t n_headers;
	long long now;          /* host clock, Unix seconds, for relative headers */
} BdmResponse;

/* ---- account context ---------------------------------------------------- */

typedef struct BdmModule BdmModule;

/** How much a debug line matters; the host maps it to purple_debug's levels. */
typedef enum {
	BDM_DEBUG_INFO = 0,
	BDM_DEBUG_WARNING,
	BDM_DEBUG_ERROR
} BdmDebugLevel;

/** What a module may know about the account it works for; owned by the host. */
typedef struct BdmAccountCtx BdmAccountCtx;
struct BdmAccountCtx {
	const char *api_base;   /* no trailing slash, e.g. https://graph.facebook.com/v25.0 */
	const char *account_id; /* libpurple username: Page id, IG account id, X user id */
	const char *self_id;    /* the account's own platform id from whoami, may be NULL */
	long long now;          /* host clock, Unix seconds (injectable in tests) */
	/* Value of an account option declared in BdmModule.options, or NULL. */
	const char *(*get_option)(const BdmAccountCtx *ctx, const char *key);
	void *host_data;        /* for get_option; opaque to the module */
	/* ---- ABI version 2 ---- */
	/* The module being called and its module_data (NULL when it has none),
	 * so one implementation can serve several modules (Facebook and
	 * Instagram share the Graph code and differ only in their data). */
	const BdmModule *module;
	const void *module_data;
	/* Log one line (no newline) through the host's debug log, or NULL.  The
	 * host writes it to purple_debug under the module's platform, so a
	 * module needs no libpurple.  Modules never see tokens and must not log
	 * customer text: request descriptions, counts and reasons only. */
	void (*debug)(const BdmAccountCtx *ctx, BdmDebugLevel level, const char *line);
};

/* ---- normalized data ---------------------------------------------------- */

/** The account's identity, learned when logging in. */
typedef struct {
	char *id;
	char *name;
} BdmIdentity;

/** One conversation with one customer. */
typedef struct {
	char *id;
	char *customer_id;      /* platform id used to reply */
	char *customer_name;    /* display name, may be NULL */
	long long updated;      /* Unix seconds, 0 if unknown */
} BdmConversation;

/** One message, in either direction. */
typedef struct {
	char *id;               /* platform message id: the dedupe key */
	char *conversation_id;
	char *sender_id;
	char *sender_name;      /* may be NULL */
	char *recipient_id;     /* may be NULL */
	char *text;             /* raw UTF-8 as the platform gave it: NOT markup-escaped */
	long long created;      /* Unix seconds */
	int from_brand;         /* non-zero when the account itself sent it */
} BdmMessage;

/** What an attachment is, as the platform declared it (the host checks content). */
typedef enum {
	BDM_ATTACHMENT_FILE = 0,
	BDM_ATTACHMENT_IMAGE,
	BDM_ATTACHMENT_VIDEO,
	BDM_ATTACHMENT_AUDIO,
	BDM_ATTACHMENT_STICKER
} BdmAttachmentKind;

/** Attachment flags. */
enum {
	/* The platform serves it only to a user-signed request (X's
	 * ton.twitter.com): the host shows the link and says why instead. */
	BDM_ATTACHMENT_NEEDS_USER_AUTH = 1 << 0
};

/** One attachment of a message on a poll page (ABI version 2).  Every
 *  string is platform-declared and untrusted: the host never sends the
 *  token to url or preview_url and checks the content itself. */
typedef struct {
	char *message_id;       /* BdmMessage.id it belongs to */
	BdmAttachmentKind kind;
	char *url;              /* where to fetch it (a CDN link), may be NULL */
	char *name;             /* original file name, may be NULL */
	char *mime_type;        /* as declared, may be NULL */
	long long size;         /* declared bytes, 0 = unknown */
	char *platform_id;      /* the platform's attachment/media id, may be NULL */
	char *preview_url;      /* may be NULL */
	int width;              /* declared pixels, 0 = unknown */
	int height;
	unsigned int flags;     /* BDM_ATTACHMENT_* */
} BdmAttachment;

/** One parsed page of a poll. */
typedef struct {
	BdmConversation *conversations;
	size_t n_conversations;
	BdmMessage *messages;
	size_t n_messages;
	char **next;            /* cursors to fetch next (opaque, passed back to build_poll) */
	size_t n_next;
	long long not_before;   /* Unix seconds before which the host must not call again, 0 = none */
	int gap;                /* non-zero: the platform may have dropped messages we never saw */
	/* ---- ABI version 2: a v1 module leaves them zero (the host zeroes the page) ---- */
	BdmAttachment *attachments;
	size_t n_attachments;
} BdmPollPage;

/** What the agent (or an automated reply) wants to send. */
typedef struct {
	const char *recipient_id;
	const char *conversation_id;     /* may be NULL */
	const char *text;
	long long last_customer_message; /* Unix seconds of the customer's last message, 0 = never */
	int allow_human_agent;           /* account permits the HUMAN_AGENT tag */
	int automated;                   /* machine-written: never eligible for HUMAN_AGENT */
	/* ---- ABI version 2: given only to a module that has build_upload ---- */
	const char *attachment_id;       /* from parse_upload: send this file; NULL = text only */
	BdmAttachmentKind attachment_kind; /* what was uploaded (IMAGE, VIDEO, AUDIO or FILE) */
} BdmSendInput;

/** A file to upload before it is sent (ABI version 2).  The host has read
 *  it and checked it against the policy (type by content, size, name); the
 *  module only describes the upload, as for every other request. */
typedef struct {
	const unsigned char *data;       /* the whole file */
	size_t len;
	const char *name;                /* file name without directories, UTF-8 */
	const char *mime_type;           /* as the content proves it, e.g. "image/png" */
	BdmAttachmentKind kind;          /* IMAGE, VIDEO, AUDIO or FILE */
	const char *recipient_id;        /* who it is for */
} BdmUploadInput;

/** What the platform answered to an upload: the id a send refers to. */
typedef struct {
	char *attachment_id;             /* Graph's attachment_id, X's media id */
	int text_separate;               /* non-zero: a message carries the file alone, so the
	                                    host sends a caption as a message of its own */
} BdmUploadResult;

/** What the platform answered to a send. */
typedef struct {
	char *message_id;
	char *conversation_id;  /* may be NULL */
} BdmSendResult;

/* ---- account options ---------------------------------------------------- */

typedef enum {
	BDM_OPT_STRING = 0,
	BDM_OPT_INT,
	BDM_OPT_BOOL
} BdmOptionType;

/** An account option the host shows in Add Account; label is untranslated English. */
typedef struct {
	const char *key;
	const char *label;
	BdmOptionType type;
	const char *default_string; /* BDM_OPT_STRING */
	int default_int;            /* BDM_OPT_INT and BDM_OPT_BOOL */
} BdmAccountOption;

/* ---- the module --------------------------------------------------------- */

/** Module flags. */
enum {
	/* Poll pages come newest first and are complete: the host stops following
	 * next cursors once a page holds a message it has already delivered. */
	BDM_MODULE_NEWEST_FIRST = 1 << 0,
	/* The username is a numeric platform id: the host refuses anything else
	 * before contacting the platform, naming what the username must be. */
	BDM_MODULE_NUMERIC_USERNAME = 1 << 1
};

/*
 * Every function returns 0 on success and -1 on failure, in which case it
 * has filled *err (the caller zero-initialises it and clears it after).
 * Output structs (BdmRequest, BdmIdentity, BdmPollPage, BdmSendResult) are
 * zero-initialised by the caller and owned by it after a successful return.
 * On failure the output is empty: a module should leave it as it found it,
 * and the host clears it with the matching bdm_*_clear() all the same, so
 * whatever a failing module left there is freed once and never used.
 */
struct BdmModule {
	/* ---- ABI version 1 ---- */
	unsigned int magic;         /* BDM_MODULE_MAGIC */
	int abi_version;            /* BDM_ABI_VERSION the module was built with */
	size_t struct_size;         /* sizeof(BdmModule) the module was built with */

	const char *protocol_id;    /* libpurple protocol id, "prpl-branddm-facebook" */
	const char *name;           /* shown in Add Account, "Facebook Page Messenger" */
	const char *platform;       /* short stable name for logs and policy: "facebook" */
	const char *default_api_base;
	const char *username_label; /* what the username is, "Page ID" */
	const char *password_label; /* what the password is, "Page access token" */
	const BdmAccountOption *options; /* terminated by an entry with key == NULL */
	unsigned int flags;         /* BDM_MODULE_* */
	size_t text_limit;          /* maximum message length, 0 = none */
	int text_limit_in_bytes;    /* limit counts UTF-8 bytes, not characters */
	long long min_poll_interval;/* seconds; the host never polls faster */

	/* Request that verifies the token and learns the account's identity. */
	int (*build_whoami)(const BdmAccountCtx *ctx, BdmRequest *out, BdmError *err);
	/* Parse the whoami response. */
	int (*parse_whoami)(const BdmAccountCtx *ctx, const BdmResponse *resp,
	                    BdmIdentity *out, BdmError *err);
	/* Request for one poll page; cursor is NULL for the first page or one of
	 * the strings a previous parse_poll put in next. */
	int (*build_poll)(const BdmAccountCtx *ctx, const char *cursor,
	                  BdmRequest *out, BdmError *err);
	/* Parse one poll page into conversations, messages and further cursors. */
	int (*parse_poll)(const BdmAccountCtx *ctx, const BdmResponse *resp,
	                  BdmPollPage *out, BdmError *err);
	/* Platform rules for a send (length, reply window) without building it:
	 * fills err with BDM_ERR_WINDOW or BDM_ERR_INVALID and a plain reason. */
	int (*check_send)(const BdmAccountCtx *ctx, const BdmSendInput *in, BdmError *err);
	/* Request that sends a message; runs check_send's rules itself too. */
	int (*build_send)(const BdmAccountCtx *ctx, const BdmSendInput *in,
	                  BdmRequest *out, BdmError *err);
	/* Parse the send response. */
	int (*parse_send)(const BdmAccountCtx *ctx, const BdmResponse *resp,
	                  BdmSendResult *out, BdmError *err);
	/* ---- ABI version 2 ---- */
	/* The platform as agents and customers call it, shown after a customer's
	 * name so two customers called alike on two platforms differ: "Facebook",
	 * "X".  Untranslated (a name).  NULL: the host shows name instead. */
	const char *platform_label;
	/* Anything the module wants back in every call as ctx->module_data
	 * (e.g. which variant of a shared implementation it is), or NULL. */
	const void *module_data;
	/* Optional (check with BDM_MODULE_HAS): a module without them cannot
	 * send files, and the host says so to the agent.  The request uploading
	 * a file; fails with BDM_ERR_REFUSED when the platform does not take
	 * this kind of file, with a reason for the agent. */
	int (*build_upload)(const BdmAccountCtx *ctx, const BdmUploadInput *in,
	                    BdmRequest *out, BdmError *err);
	/* Parse the upload response; then build_send with its attachment_id. */
	int (*parse_upload)(const BdmAccountCtx *ctx, const BdmResponse *resp,
	                    BdmUploadResult *out, BdmError *err);
	/* ---- later ABI versions append fields here ---- */
};

/** Byte size of the version-1 part of BdmModule; hosts require at least this. */
#define BDM_MODULE_V1_SIZE (offsetof(BdmModule, parse_send) + sizeof(void (*)(void)))

/** Byte size of BdmModule up to and including the version-2 fields. */
#define BDM_MODULE_V2_SIZE (offsetof(BdmModule, parse_upload) + sizeof(void (*)(void)))

/** How many bytes of m the host may read: what its struct_size declares, but
 *  never more than its abi_version defines (fields appended later are not its). */
static inline size_t bdm_module_declared_size(const BdmModule *m)
{
	size_t limit = m->struct_size;

	if (m->abi_version <= 1 && limit > BDM_MODULE_V1_SIZE)
		limit = BDM_MODULE_V1_SIZE;
	else if (m->abi_version == 2 && limit > BDM_MODULE_V2_SIZE)
		limit = BDM_MODULE_V2_SIZE;
	/* ABI 3 adds its line here, with BDM_MODULE_V3_SIZE. */
	return limit;
}

/** TRUE when module m declares field (by its size and version) and it is not
 *  NULL, like libpurple's PURPLE_PROTOCOL_PLUGIN_HAS_FUNC; for optional fields. */
#define BDM_MODULE_HAS(m, field) \
	(bdm_module_declared_size(m) >= offsetof(BdmModule, field) + sizeof((m)->field) && \
	 (m)->field != NULL)

/** Point ctx at module m and its module_data, as the host does before every
 *  call; tests and fuzzers that build their own context call it too. */
static inline void bdm_ctx_bind(BdmAccountCtx *ctx, const BdmModule *m)
{
	ctx->module = m;
	ctx->module_data = m != NULL && BDM_MODULE_HAS(m, module_data) ? m->module_data : NULL;
}

/** Log a printf-style line through ctx->debug when the host gave one.
 *  Never pass a token or customer text (see BdmAccountCtx.debug). */
static inline void bdm_debug(const BdmAccountCtx *ctx, BdmDebugLevel level,
                             const char *format, ...) G_GNUC_PRINTF(3, 4);
static inline void bdm_debug(const BdmAccountCtx *ctx, BdmDebugLevel level,
                             const char *format, ...)
{
	va_list args;
	char *line;

	if (ctx == NULL || ctx->debug == NULL)
		return;
	va_start(args, format);
	line = g_strdup_vprintf(format, args);
	va_end(args);
	ctx->debug(ctx, level, line);
	g_free(line);
}

/** Type of the exported entry point. */
typedef const BdmModule *(*BdmModuleEntryFunc)(void);

/* ---- release helpers (header-only so host and modules agree) ----------- */

/** Free the strings of an error and reset it to BDM_ERR_NONE. */
static inline void bdm_error_clear(BdmError *e)
{
	g_free(e->message);
	memset(e, 0, sizeof(*e));
}

/** Replace the whole error (subcode and retry_after reset to 0); message is
 *  copied.  Returns -1 so callers can `return bdm_error_set(...)`. */
static inline int bdm_error_set(BdmError *e, BdmErrorClass cls, int code, const char *message)
{
	/* Copy first: message may be e->message itself. */
	char *copy = g_strdup(message);

	bdm_error_clear(e);
	e->cls = cls;
	e->code = code;
	e->message = copy;
	return -1;
}

/** Free everything a request owns and zero it. */
static inline void bdm_request_clear(BdmRequest *r)
{
	size_t i;
	for (i = 0; i < r->n_headers; i++) {
		g_free(r->headers[i].name);
		g_free(r->headers[i].value);
	}
	g_free(r->headers);
	g_free(r->method);
	g_free(r->url);
	g_free(r->body);
	g_free(r->content_type);
	memset(r, 0, sizeof(*r));
}

/** Append a header (copied) to a request. */
static inline void bdm_request_add_header(BdmRequest *r, const char *name, const char *value)
{
	r->headers = (BdmHeader *)g_realloc_n(r->headers, r->n_headers + 1, sizeof(BdmHeader));
	r->headers[r->n_headers].name = g_strdup(name);
	r->headers[r->n_headers].value = g_strdup(value);
	r->n_headers++;
}

/** Free an identity and zero it. */
static inline void bdm_identity_clear(BdmIdentity *id)
{
	g_free(id->id);
	g_free(id->name);
	memset(id, 0, sizeof(*id));
}

/** Free one message's strings and zero it. */
static inline void bdm_message_clear(BdmMessage *m)
{
	g_free(m->id);
	g_free(m->conversation_id);
	g_free(m->sender_id);
	g_free(m->sender_name);
	g_free(m->recipient_id);
	g_free(m->text);
	memset(m, 0, sizeof(*m));
}

/** Free one attachment's strings and zero it. */
static inline void bdm_attachment_clear(BdmAttachment *a)
{
	g_free(a->message_id);
	g_free(a->url);
	g_free(a->name);
	g_free(a->mime_type);
	g_free(a->platform_id);
	g_free(a->preview_url);
	memset(a, 0, sizeof(*a));
}

/** Free everything a poll page owns and zero it. */
static inline void bdm_poll_page_clear(BdmPollPage *p)
{
	size_t i;
	for (i = 0; i < p->n_conversations; i++) {
		g_free(p->conversations[i].id);
		g_free(p->conversations[i].customer_id);
		g_free(p->conversations[i].customer_name);
	}
	g_free(p->conversations);
	for (i = 0; i < p->n_messages; i++)
		bdm_message_clear(&p->messages[i]);
	g_free(p->messages);
	for (i = 0; i < p->n_next; i++)
		g_free(p->next[i]);
	g_free(p->next);
	for (i = 0; i < p->n_attachments; i++)
		bdm_attachment_clear(&p->attachments[i]);
	g_free(p->attachments);
	memset(p, 0, sizeof(*p));
}

/** Free a send result and zero it. */
static inline void bdm_send_result_clear(BdmSendResult *r)
{
	g_free(r->message_id);
	g_free(r->conversation_id);
	memset(r, 0, sizeof(*r));
}

/** Free an upload result and zero it. */
static inline void bdm_upload_result_clear(BdmUploadResult *r)
{
	g_free(r->attachment_id);
	memset(r, 0, sizeof(*r));
}

/** Look up a response header by lower-case name; NULL when absent. */
static inline const char *bdm_response_header(const BdmResponse *r, const char *name)
{
	size_t i;
	for (i = 0; i < r->n_headers; i++)
		if (g_ascii_strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

#ifdef __cplusplus
}
#endif

#endif /* BRANDDM_PROTOCOL_H */
