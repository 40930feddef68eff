/*
 * Platform-independent checks on an outgoing message.
 *
 * Every platform refuses an empty text, text that is not UTF-8 and text over
 * its length limit, some counting characters and some (Instagram) bytes.
 * Checking before sending lets the agent fix the message instead of learning
 * about it from a failed send.
 */
#ifndef BRANDDM_PROTO_TEXT_H
#define BRANDDM_PROTO_TEXT_H

#include "branddm/protocol.h"

/** Check text against limit (0 = none), in characters or UTF-8 bytes.
 *  Returns 0, or -1 with BDM_ERR_INVALID naming the limit and platform. */
G_GNUC_INTERNAL
int proto_text_check(const char *text, size_t limit, int limit_in_bytes,
                     const char *platform, BdmError *err);

/** Check that a send has somebody to go to.
 *  Returns 0, or -1 with BDM_ERR_INVALID. */
G_GNUC_INTERNAL
int proto_recipient_check(const char *recipient_id, BdmError *err);

/** What an incoming message without text shows (photo, sticker, share):
 *  translated, plain text, owned by gettext (do not free). */
G_GNUC_INTERNAL
const char *proto_text_attachment_notice(void);

#endif /* BRANDDM_PROTO_TEXT_H */
