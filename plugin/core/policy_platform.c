/*
 * Platform rules: the length limit and the reply window.
 *
 * Both facts come from the protocol module (Instagram counts 1000 UTF-8
 * bytes, Messenger 2000 characters, X 10,000 characters; Messenger and
 * Instagram refuse replies outside their windows).  Checking them here as
 * well means the agent learns why before the platform says no.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "policy_private.h"

static const char *platform_display_name(const char *platform)
{
	if (platform == NULL || *platform == '\0')
		return _("this platform");
	if (strcmp(platform, "facebook") == 0)
		return _("Facebook Messenger");
	if (strcmp(platform, "instagram") == 0)
		return _("Instagram");
	if (strcmp(platform, "x") == 0)
		return _("X");
	return platform;
}

/* Characters in valid UTF-8 (the scanners only see valid text): every
 * byte but the continuation bytes 10xxxxxx starts one.  A plain loop the
 * compiler vectorises; g_utf8_strlen() walks character by character. */
static gsize utf8_chars(const char *text, gsize len)
{
	gsize n = 0;

	for (gsize i = 0; i < len; i++)
		n += ((guchar)text[i] & 0xC0) != 0x80;
	return n;
}

static void scan_length(BdmScan *scan)
{
	const BdmCheckInput *in = scan->in;
	const char *name = platform_display_name(in->platform);
	gsize length, cut;
	char *why;

	if (in->text_limit == 0)
		return;
	if (in->text_limit_in_bytes) {
		length = scan->len;
		if (length <= in->text_limit)
			return;
		/* The span starts at the first character that does not fit whole.
		 * %lu, not G_GSIZE_FORMAT: xgettext cannot see through that macro. */
		cut = (gsize)(g_utf8_find_prev_char(scan->text, scan->text + in->text_limit + 1) -
		              scan->text);
		why = g_strdup_printf(_("The message is %lu bytes long; %s "
		                        "allows at most %lu bytes (accented letters "
		                        "and emoji take 2 to 4). Shorten it or split it."),
		                      (unsigned long)length, name, (unsigned long)in->text_limit);
	} else {
		length = utf8_chars(scan->text, scan->len);
		if (length <= in->text_limit)
			return;
		cut = (gsize)(g_utf8_offset_to_pointer(scan->text, (glong)in->text_limit) -
		              scan->text);
		why = g_strdup_printf(_("The message is %lu characters long; %s "
		                        "allows at most %lu. Shorten it or split it."),
		                      (unsigned long)length, name, (unsigned long)in->text_limit);
	}
	bdm_scan_report(scan, BDM_RULE_PLATFORM_LENGTH, cut, scan->len, why);
}

void bdm_scan_platform(BdmScan *scan)
{
	const char *reason = scan->in->window_refusal;

	scan_length(scan);
	if (reason == NULL)
		return;
	if (*reason == '\0' || !g_utf8_validate(reason, -1, NULL))
		reason = _("its reply window is closed");
	bdm_scan_report(scan, BDM_RULE_PLATFORM_WINDOW, 0, 0,
	                g_strdup_printf(_("%s will not deliver this reply: %s"),
	                                platform_display_name(scan->in->platform), reason));
}
