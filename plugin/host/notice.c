/*
 * Notices in IM conversations.  See notice.h.
 */
#include <time.h>

#include <util.h>

#include "notice.h"

char *bdm_text_to_html(const char *text)
{
	char *escaped = purple_markup_escape_text(text ? text : "", -1);
	char *html = purple_strreplace(escaped, "\n", "<br>");

	g_free(escaped);
	return html;
}

void bdm_notice_write_at(PurpleConversation *conv, const char *text, int flags, time_t when)
{
	char *html = bdm_text_to_html(text);

	/* Our notices are not the conversation: libpurple's own log skips them. */
	purple_conversation_write(conv, NULL, html, (PurpleMessageFlags)flags | PURPLE_MESSAGE_NO_LOG,
	                          when);
	g_free(html);
}

void bdm_notice_write(PurpleConversation *conv, const char *text, int flags)
{
	bdm_notice_write_at(conv, text, flags, time(NULL));
}

PurpleConversation *bdm_conversation_with(BdmConn *conn, const char *who)
{
	PurpleConversation *conv =
		purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, who, conn->account);

	if (conv == NULL)
		conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, conn->account, who);
	return conv;
}

void bdm_notice(BdmConn *conn, const char *who, const char *text, int flags)
{
	bdm_notice_write(bdm_conversation_with(conn, who), text, flags);
}
