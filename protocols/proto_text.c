/*
 * Platform-independent checks on an outgoing message: see proto_text.h.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "proto_text.h"

int proto_text_check(const char *text, size_t limit, int limit_in_bytes,
                     const char *platform, BdmError *err)
{
	size_t length;
	char *msg;

	if (!text || !*text)
		return bdm_error_set(err, BDM_ERR_INVALID, 0,
		                     _("The message is empty; there is nothing to send."));
	if (!g_utf8_validate(text, -1, NULL))
		return bdm_error_set(err, BDM_ERR_INVALID, 0,
		                     _("The message is not valid UTF-8 text."));
	if (!limit)
		return 0;
	length = limit_in_bytes ? strlen(text) : (size_t)g_utf8_strlen(text, -1);
	if (length <= limit)
		return 0;
	if (limit_in_bytes)
		/* TRANSLATORS: 1: bytes in the message, 2: platform, 3: limit. */
		msg = g_strdup_printf(_("The message is %lu bytes long; %s accepts at most "
		                        "%lu bytes (accented letters take 2 bytes, emoji 4)."),
		                      (unsigned long)length, platform, (unsigned long)limit);
	else
		/* TRANSLATORS: 1: characters in the message, 2: platform, 3: limit. */
		msg = g_strdup_printf(_("The message is %lu characters long; %s accepts at "
		                        "most %lu characters."),
		                      (unsigned long)length, platform, (unsigned long)limit);
	bdm_error_set(err, BDM_ERR_INVALID, 0, msg);
	g_free(msg);
	return -1;
}

int proto_recipient_check(const char *recipient_id, BdmError *err)
{
	if (!recipient_id || !*recipient_id)
		return bdm_error_set(err, BDM_ERR_INVALID, 0,
		                     _("The message has no recipient: the conversation has "
		                       "no customer id to reply to."));
	return 0;
}

const char *proto_text_attachment_notice(void)
{
	/* Telling the agent there is something to look at beats dropping it. */
	return _("[An attachment or sticker BrandDM cannot show: see it in the "
	         "platform's own inbox.]");
}
