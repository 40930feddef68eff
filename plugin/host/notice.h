/*
 * Notices: BrandDM's own lines in an IM conversation ("Not sent: …",
 * "Escalated to legal"), never part of what the customer and the brand
 * said, so libpurple's conversation log skips them.
 */
#ifndef BRANDDM_NOTICE_H
#define BRANDDM_NOTICE_H

#include <conversation.h>

#include "conn.h"

/** Plain text as libpurple markup: escaped, line breaks as <br> (g_free it).
 *  Every text from customers, configs or the agent goes through this before display. */
char *bdm_text_to_html(const char *text);

/** Write plain text into conv as a notice (flags: PURPLE_MESSAGE_SYSTEM,
 *  _ERROR, ...); libpurple's own conversation log skips it. */
void bdm_notice_write(PurpleConversation *conv, const char *text, int flags);

/** bdm_notice_write stamped with when instead of now (Unix seconds):
 *  an earlier message shown again keeps its own time in the window. */
void bdm_notice_write_at(PurpleConversation *conv, const char *text, int flags, time_t when);

/** The IM conversation of conn's account with who, created if needed.
 *  Owned by libpurple. */
PurpleConversation *bdm_conversation_with(BdmConn *conn, const char *who);

/** Write a plain-text notice into the IM conversation with who (creating it).
 *  flags are PurpleMessageFlags such as PURPLE_MESSAGE_ERROR. */
void bdm_notice(BdmConn *conn, const char *who, const char *text, int flags);

#endif /* BRANDDM_NOTICE_H */
