/*
 * The out-of-hours acknowledgement: while the desk is closed, a customer's
 * first message in a conversation gets the configured automated template,
 * once.  See desk_features.h.
 *
 * It goes out through serv_send_im with PURPLE_MESSAGE_AUTO_RESP, which
 * send.c treats as automated: the policy then requires the "this is
 * automated" disclosure, the platform never gets the HUMAN_AGENT tag for
 * it, the log marks it automated, and it does not stop the response clock.
 */
#include <string.h>

#include <account.h>
#include <debug.h>
#include <server.h>
#include <util.h>

#include "branddm/i18n.h"
#include "desk_features.h"

#define DEBUG_CAT "branddm-desk"
/* Acknowledge only fresh messages: the first poll after an install or a long
 * break delivers history that nobody is waiting to hear "we are closed" about. */
#define MAX_MESSAGE_AGE_S 3600

/* What goes out once the claim is won: the conversation (the cache's) and
 * the expanded text, NULL when the template was broken. */
typedef struct {
	BdmDeskConv *conv;
	char *text;
} PendingReply;

static void on_claimed(BdmClaimResult result, const GError *error, gpointer data)
{
	PendingReply *p = data;
	BdmDeskConv *conv = p->conv;
	const char *name = bdm_desk_config_auto_reply_template(bdm_desk_config());
	BdmConn *conn;
	char *escaped;

	switch (result) {
	case BDM_CLAIM_WON:
		conv->auto_replied = TRUE;
		break;
	case BDM_CLAIM_LOST:
		purple_debug_info(DEBUG_CAT, "auto-reply to %s was sent before\n", conv->customer);
		conv->auto_replied = TRUE;
		goto out;
	case BDM_CLAIM_ERROR:
		purple_debug_error(DEBUG_CAT, "auto-reply not sent, not claimed: %s\n",
		                   error->message);
		goto out;
	}
	/* In a team the answer may come after the account went offline: the
	 * claim is spent, so the debug log says what did not go out. */
	conn = bdm_desk_conv_connection(conv);
	if (p->text == NULL || conn == NULL) {
		if (p->text != NULL)
			purple_debug_error(DEBUG_CAT, "auto-reply to %s not sent: account offline\n",
			                   conv->customer);
		goto out;
	}
	bdm_desk_template_remember(conv, name, p->text);
	escaped = purple_markup_escape_text(p->text, -1);
	serv_send_im(conn->gc, conv->customer, escaped, PURPLE_MESSAGE_AUTO_RESP);
	g_free(escaped);
out:
	g_free(p->text);
	g_free(p);
}

void bdm_desk_autoreply_incoming(BdmConn *conn, BdmDeskConv *conv)
{
	const BdmDeskConfig *cfg = bdm_desk_config();
	const char *name = bdm_desk_config_auto_reply_template(cfg);
	gint64 now = bdm_now();
	gint64 written = bdm_journal_last_customer_message(conn, conv->customer);
	GError *error = NULL;
	PendingReply *p;
	char *problem;

	if (conv->auto_replied || !bdm_desk_config_auto_reply_applies(cfg, conv->platform,
	                                                               conv->account) ||
	    bdm_business_hours_is_open(bdm_desk_config_business_hours(cfg), now) ||
	    now - written > MAX_MESSAGE_AGE_S)
		return;
	p = g_new0(PendingReply, 1);
	p->conv = conv;
	p->text = bdm_desk_template_expand(conn, conv, name, TRUE, NULL, &error);
	if (p->text == NULL) {
		/* A broken acknowledgement is the administrator's to fix; the agent
		 * hears about it once per conversation, the customer gets nothing. */
		problem = g_strdup_printf(_("The out-of-hours acknowledgement was not sent: %s"),
		                          error->message);
		bdm_notice(conn, conv->customer, problem, PURPLE_MESSAGE_ERROR);
		bdm_journal_event(conn, "auto_reply_error", conv->customer, NULL, error->message);
		g_free(problem);
		g_clear_error(&error);
	}
	/* Claimed first: a crash, a refusal or another client must never make it
	 * go out twice.  An unknown outcome sends nothing. */
	bdm_desk_conv_claim(conv, "auto_reply", on_claimed, p);
}
