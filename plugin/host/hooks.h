/*
 * The questions the protocol host must ask before it acts, answered by
 * whatever desk is installed: may this text go out, what is the customer's
 * buddy alias, which template did this reply come from.
 *
 * Everything else the host tells the world through signals (host_signals.h);
 * these few need an answer, so they are a table of function pointers with a
 * version field, like the module ABI.  With no desk installed the host
 * refuses every reply: nothing leaves unchecked.
 */
#ifndef BRANDDM_HOOKS_H
#define BRANDDM_HOOKS_H

#include "conn.h"

/** The version of BdmHostHooks this header describes.
 *  Version 2 added reply_author, version 3 may_poll, version 4 may_send_file. */
#define BDM_HOOKS_VERSION 4

/** A file an agent wants to send, as the host read it (before any upload). */
typedef struct {
	const char *path;       /* where the agent's file is (to send it again later) */
	const char *name;       /* the name the customer will see, without directories */
	const guint8 *data;     /* the whole file */
	gsize len;
	const char *type;       /* the MIME type its content proves */
	const char *sha256;     /* lower-case hex of the content */
	const char *caption;    /* text sent with it, NULL for none */
} BdmFileToSend;

typedef struct {
	int version;   /* BDM_HOOKS_VERSION */

	/** The last check before text goes to who: FALSE when it must not be
	 *  sent, with *why (plain text, g_free'd by the host) saying why. */
	gboolean (*may_send)(BdmConn *conn, const char *who, const char *text,
	                     gboolean automated, char **why);

	/** The buddy-list alias for a customer whose platform name is name
	 *  (may be NULL): a new string.  NULL in the table: the name itself. */
	char *(*buddy_alias)(BdmConn *conn, const char *customer_id, const char *name);

	/** The template text was expanded from, for the reply's log record;
	 *  NULL for none.  NULL in the table: no templates. */
	const char *(*template_of)(BdmConn *conn, const char *customer_id, const char *text);

	/** Who wrote a brand message (an agent's name, or "automatic"), for
	 *  "Acme (Alice Martin)"; NULL when not known.  message_id may be NULL. */
	const char *(*reply_author)(BdmConn *conn, const char *customer_id, const char *message_id,
	                            const char *text);

	/** Should this client ask the platform now?  FALSE when another client
	 *  polls this brand account for the team.  NULL in the table: always. */
	gboolean (*may_poll)(BdmConn *conn);

	/** The check before a file (and its caption) is uploaded to who: FALSE
	 *  when it must not go, with *why (plain text, g_free'd) and *flags (how
	 *  to show it: PURPLE_MESSAGE_ERROR, or SYSTEM for a warning).
	 *  NULL in the table: no file is sent. */
	gboolean (*may_send_file)(BdmConn *conn, const char *who, const BdmFileToSend *file,
	                          char **why, PurpleMessageFlags *flags);
} BdmHostHooks;

/** Install the desk's answers (NULL: back to the refusing defaults).
 *  The table must live until replaced; a wrong version is refused. */
gboolean bdm_hooks_install(const BdmHostHooks *hooks);

/** May text go to who?  The installed hook, or FALSE with a reason when none is.
 *  *why is set (g_free it) whenever FALSE is returned. */
gboolean bdm_hooks_may_send(BdmConn *conn, const char *who, const char *text,
                            gboolean automated, char **why);

/** May file go to who?  The installed hook, or FALSE with a reason when none is.
 *  *why (g_free it) and *flags are set whenever FALSE is returned. */
gboolean bdm_hooks_may_send_file(BdmConn *conn, const char *who, const BdmFileToSend *file,
                                 char **why, PurpleMessageFlags *flags);

/** The alias to show for a customer (never NULL; g_free it).
 *  name may be NULL: the customer id stands in. */
char *bdm_hooks_buddy_alias(BdmConn *conn, const char *customer_id, const char *name);

/** The template behind a reply's text, or NULL.
 *  Owned by the desk; valid until the next call. */
const char *bdm_hooks_template_of(BdmConn *conn, const char *customer_id, const char *text);

/** TRUE when this client should poll conn's account now (the desk's
 *  may_poll; TRUE without a desk or an answer). */
gboolean bdm_hooks_may_poll(BdmConn *conn);

/** Who sent a brand message this client did not send, as the desk knows it
 *  ("Alice Martin", "automatic"), or NULL; owned by the desk. */
const char *bdm_hooks_reply_author(BdmConn *conn, const char *customer_id, const char *message_id,
                                   const char *text);

/** The sender of a brand message as the conversation shows it: "Acme
 *  (Alice Martin)" when the desk knows the author, else NULL (libpurple's own). */
char *bdm_hooks_brand_sender(BdmConn *conn, const char *customer_id, const char *message_id,
                             const char *text);

#endif /* BRANDDM_HOOKS_H */
