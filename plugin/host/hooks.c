/*
 * The desk's answers to the host's questions.  See hooks.h.
 */
#include <debug.h>

#include "branddm/i18n.h"
#include "hooks.h"

#define DEBUG_CAT "branddm"

static const BdmHostHooks *installed;

gboolean bdm_hooks_install(const BdmHostHooks *hooks)
{
	if (hooks != NULL && hooks->version != BDM_HOOKS_VERSION) {
		purple_debug_error(DEBUG_CAT, "refusing desk hooks of version %d (host has %d)\n",
		                   hooks->version, BDM_HOOKS_VERSION);
		return FALSE;
	}
	installed = hooks;
	return TRUE;
}

gboolean bdm_hooks_may_send(BdmConn *conn, const char *who, const char *text,
                            gboolean automated, char **why)
{
	if (installed == NULL || installed->may_send == NULL) {
		/* Policy is not optional: without a desk to check it, nothing goes out. */
		*why = g_strdup(_("Not sent: the BrandDM desk is not running, so the message "
		                  "policy cannot be checked."));
		return FALSE;
	}
	if (installed->may_send(conn, who, text, automated, why))
		return TRUE;
	if (*why == NULL)
		*why = g_strdup(_("Not sent: refused by the message policy."));
	return FALSE;
}

gboolean bdm_hooks_may_send_file(BdmConn *conn, const char *who, const BdmFileToSend *file,
                                 char **why, PurpleMessageFlags *flags)
{
	*why = NULL;
	*flags = PURPLE_MESSAGE_ERROR;
	if (installed == NULL || installed->may_send_file == NULL) {
		*why = g_strdup(_("Not sent: the BrandDM desk is not running, so the file cannot be "
		                  "checked against the message policy."));
		return FALSE;
	}
	if (installed->may_send_file(conn, who, file, why, flags))
		return TRUE;
	if (*why == NULL)
		*why = g_strdup(_("Not sent: refused by the message policy."));
	return FALSE;
}

char *bdm_hooks_buddy_alias(BdmConn *conn, const char *customer_id, const char *name)
{
	char *alias = NULL;

	if (installed != NULL && installed->buddy_alias != NULL)
		alias = installed->buddy_alias(conn, customer_id, name);
	if (alias == NULL)
		alias = bdm_customer_title(conn->account, name && *name ? name : customer_id);
	return alias;
}

const char *bdm_hooks_template_of(BdmConn *conn, const char *customer_id, const char *text)
{
	if (installed == NULL || installed->template_of == NULL)
		return NULL;
	return installed->template_of(conn, customer_id, text);
}

const char *bdm_hooks_reply_author(BdmConn *conn, const char *customer_id, const char *message_id,
                                   const char *text)
{
	if (installed == NULL || installed->reply_author == NULL)
		return NULL;
	return installed->reply_author(conn, customer_id, message_id, text);
}

char *bdm_hooks_brand_sender(BdmConn *conn, const char *customer_id, const char *message_id,
                             const char *text)
{
	const char *author = bdm_hooks_reply_author(conn, customer_id, message_id, text);
	const char *brand;

	if (author == NULL)
		return NULL;
	brand = purple_connection_get_display_name(conn->gc);
	if (brand == NULL || *brand == '\0')
		brand = bdm_conn_account_id(conn);
	return g_strdup_printf("%s (%s)", brand, author);
}

gboolean bdm_hooks_may_poll(BdmConn *conn)
{
	if (installed == NULL || installed->may_poll == NULL)
		return TRUE;
	return installed->may_poll(conn);
}
