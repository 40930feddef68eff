/*
 * bdm-testclient: what the agent would see in conversation windows.
 *
 * Every message written to any conversation becomes a "write" event with
 * the text exactly as libpurple hands it to a UI (HTML, after every
 * "writing-im-msg" handler).  The IM signals add "received-im" and "sent-im"
 * events, which tell a test what crossed the protocol boundary as opposed
 * to what was displayed.
 */
#ifndef BDM_CLIENT_UI_CONV_H
#define BDM_CLIENT_UI_CONV_H

#include <purple.h>

#include "client.h"

/* Conversation UI ops for purple_conversations_set_ui_ops(); static
 * storage, valid for the life of the process. */
PurpleConversationUiOps *bdm_conv_ui_ops(void);

/* From now on, die by SIGKILL right after emitting the "write" event of a
 * message whose text contains text (NULL: never): a crash at one exact
 * point of a delivery, for the crash-recovery tests. */
void bdm_conv_die_on_write(const char *text);

/* Report "received-im-msg", "sent-im-msg" and closed conversations as
 * events, and free a closing conversation's compose box; keep connected
 * through purple_core_quit() so no compose string leaks.  client is the
 * signal handle. */
void bdm_conv_connect_signals(BdmClient *client);

#endif /* BDM_CLIENT_UI_CONV_H */
