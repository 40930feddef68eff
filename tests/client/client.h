/*
 * bdm-testclient: a headless libpurple UI driven by JSON lines.
 *
 * The end-to-end tests need to do what an agent does in Pidgin or Finch —
 * add and enable accounts, type into conversations, run /commands, answer
 * dialogs — and to see what the agent would see.  This program is that UI:
 * commands arrive one JSON object per line on stdin, everything libpurple
 * shows arrives one JSON event per line on stdout, and the debug log goes to
 * stderr.  tests/e2e/harness.py drives it; the protocol is documented there
 * and in the per-concern headers (commands.h, ui_*.h).
 *
 * Compose box convention: libpurple 2 has no conversation UI op for "put
 * this text in the entry", so a plugin that wants to insert text (a
 * template) stores a g_malloc'ed string under the conversation data key
 * BDM_COMPOSE_KEY, freeing any previous value.  The client owns that string
 * from then on: "compose-get" reads it, "compose-set" replaces it, "send"
 * with "compose": true sends and clears it, and the client frees it when the
 * conversation is destroyed.
 */
#ifndef BDM_CLIENT_H
#define BDM_CLIENT_H

#include <glib.h>

#include "ui_request.h"

/* The UI id: accounts are enabled for it and prefs live under /branddm-test. */
#define BDM_CLIENT_UI "branddm-test"

/* Conversation data key of the compose box string (see above). */
#define BDM_COMPOSE_KEY "branddm-compose"

/* Error domain of every command failure the client reports. */
#define BDM_CLIENT_ERROR (bdm_client_error_quark())

/* Error codes in BDM_CLIENT_ERROR. */
typedef enum {
	BDM_CLIENT_ERROR_BAD_COMMAND,   /* not JSON, not an object, unknown cmd */
	BDM_CLIENT_ERROR_BAD_ARGUMENT,  /* a member is missing or has the wrong type */
	BDM_CLIENT_ERROR_NOT_FOUND,     /* no such account, protocol, pref, request... */
	BDM_CLIENT_ERROR_FAILED         /* libpurple refused the operation */
} BdmClientError;

/* Everything one client process owns; passed to every command handler. */
typedef struct {
	GMainLoop *loop;
	BdmRequests *requests;
	GString *input;        /* stdin bytes not yet ending in a newline */
	guint input_watch;
	gboolean quit_requested; /* a quit is under way: take no more commands */
	gboolean shut_down;    /* purple_core_quit() has run */
} BdmClient;

/* The quark of BDM_CLIENT_ERROR. */
GQuark bdm_client_error_quark(void);

/* Shut libpurple down (flushing its delayed saves of accounts, buddy list
 * and prefs) and leave the main loop; main() then exits with status 0. */
void bdm_client_quit(BdmClient *client);

#endif /* BDM_CLIENT_H */
