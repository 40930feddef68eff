/*
 * Asynchronous HTTP for the protocol modules' requests.
 *
 * libcurl's multi interface driven by libpurple's event loop
 * (purple_input_add for sockets, purple_timeout_add for curl's timer), so a
 * slow or dead platform never blocks Pidgin's or Finch's main loop.  Rules
 * that hold for every request: TLS peers are always verified, plain http is
 * refused unless the host is a loopback address (our emulators), redirects
 * are never followed (a bearer token must not travel to another host, nor a
 * download to a host nobody checked), a request may set its own timeout, and
 * the token never appears in debug output.
 */
#ifndef BRANDDM_HTTP_H
#define BRANDDM_HTTP_H

#include <glib.h>
#include "branddm/protocol.h"

typedef struct BdmHttpCall BdmHttpCall;

/** Why a call produced no HTTP response (status 0). */
typedef enum {
	BDM_HTTP_OK = 0,       /* a response arrived (any status) */
	BDM_HTTP_NOT_SENT,     /* failed before any byte left: safe to retry anything */
	BDM_HTTP_AMBIGUOUS,    /* failed after sending: the server may have acted */
	BDM_HTTP_REFUSED,      /* our own rules refused the URL (scheme, host) */
	BDM_HTTP_TOO_LARGE     /* the body exceeded the size limit */
} BdmHttpOutcome;

/** A finished call, valid only during the callback. */
typedef struct {
	BdmHttpOutcome outcome;
	const char *error;          /* plain text when outcome != OK */
	BdmResponse response;       /* status 0 unless outcome == OK */
	double seconds;             /* total time */
	gboolean timed_out;         /* the request's time limit ended it */
	gboolean partial;           /* the body ended before its declared length */
} BdmHttpResult;

typedef void (*BdmHttpCallback)(const BdmHttpResult *result, gpointer user_data);

/** Start the shared engine; call once when the loader loads.
 *  Returns FALSE (and logs why) when libcurl cannot be initialised. */
gboolean bdm_http_init(void);

/** Cancel every call without calling back and release libcurl.
 *  Call when the loader unloads. */
void bdm_http_shutdown(void);

/** Perform req asynchronously, adding "Authorization: Bearer token" when token
 *  is non-NULL; cb runs exactly once from the main loop unless cancelled. */
BdmHttpCall *bdm_http_start(const BdmRequest *req, const char *token,
                            BdmHttpCallback cb, gpointer user_data);

/** bdm_http_start with a smaller body cap: a larger declared Content-Length or
 *  body ends the call as BDM_HTTP_TOO_LARGE (for downloads of customers' files). */
BdmHttpCall *bdm_http_start_capped(const BdmRequest *req, const char *token, size_t max_body,
                                   BdmHttpCallback cb, gpointer user_data);

/** Told how much of a request's body has gone: sent of total bytes.
 *  Runs from the main loop; it must not cancel its own call. */
typedef void (*BdmHttpProgress)(guint64 sent, guint64 total, gpointer user_data);

/** bdm_http_start_capped that also reports the upload's progress to progress
 *  (may be NULL) whenever more of the body has gone (a file sent to a platform). */
BdmHttpCall *bdm_http_start_upload(const BdmRequest *req, const char *token, size_t max_body,
                                   BdmHttpProgress progress, gpointer progress_data,
                                   BdmHttpCallback cb, gpointer user_data);

/** Cancel a call that has not called back yet; its callback never runs.
 *  Passing a call that already finished is a programming error. */
void bdm_http_cancel(BdmHttpCall *call);

/** TRUE when url is https, or http to a loopback host (127.0.0.0/8, ::1, localhost).
 *  Exposed for tests and for the webhook sender. */
gboolean bdm_http_url_allowed(const char *url);

/** A copy of url with the values of token-like query parameters replaced by "…",
 *  safe for debug output. */
char *bdm_http_redact_url(const char *url);

/** Largest response body accepted, in bytes (a hostile server cannot exhaust memory). */
#define BDM_HTTP_MAX_BODY (32u * 1024u * 1024u)

#endif /* BRANDDM_HTTP_H */
