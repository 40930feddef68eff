/*
 * Instagram: an Instagram professional account's DMs through the Graph API
 * (Messenger Platform for Instagram).
 *
 * All the work is in graph*.c, shared with Facebook; this file holds what
 * is Instagram's own: a 1000-byte text limit, only the 20 newest messages
 * of a conversation readable (graph_poll.c flags a possible gap when a
 * conversation lists that many), and a second brand id option for accounts
 * whose username is the Facebook Page id.
 */
#include <gmodule.h>

#include "branddm/i18n.h"
#include "graph.h"

/* Instagram returns a conversation's 20 most recent messages and no more. */
#define INSTAGRAM_MESSAGE_CAP 20

static const GraphFlavor instagram = {
	.service = "Instagram",
	.messaging = "Instagram",
	.platform_query = "instagram",
	/* Page and Instagram user nodes both have these three fields. */
	.whoami_fields = "id,name,username",
	.text_limit = 1000,
	.text_limit_in_bytes = 1,
	.message_cap = INSTAGRAM_MESSAGE_CAP,
	.extra_self_option = "instagram_id",
};

static const BdmAccountOption instagram_options[] = {
	{ "api_base", N_("API base URL"), BDM_OPT_STRING, GRAPH_DEFAULT_API_BASE, 0 },
	{ "poll_interval", N_("Seconds between checks for new messages"), BDM_OPT_INT, NULL, 10 },
	{ "human_agent", N_("Allow replies up to 7 days (human agent tag)"), BDM_OPT_BOOL, NULL, FALSE },
	/* With a Page id as username, the brand's side of a conversation is
	 * its Instagram account id, which the Page id does not reveal. */
	{ "instagram_id", N_("Instagram account ID (if the username is a Page ID)"),
	  BDM_OPT_STRING, "", 0 },
	{ NULL, NULL, 0, NULL, 0 }
};

static const BdmModule instagram_module = {
	.magic = BDM_MODULE_MAGIC,
	.abi_version = BDM_ABI_VERSION,
	.struct_size = sizeof(BdmModule),
	.protocol_id = "prpl-branddm-instagram",
	.name = "Instagram",
	.platform = "instagram",
	.default_api_base = GRAPH_DEFAULT_API_BASE,
	.username_label = N_("Instagram account ID or Page ID"),
	.password_label = N_("Page access token"),
	.options = instagram_options,
	/* Graph does not promise an order, so the host dedupes every page. */
	.flags = BDM_MODULE_NUMERIC_USERNAME,
	.text_limit = 1000,
	.text_limit_in_bytes = 1,
	.min_poll_interval = 2,
	.build_whoami = graph_build_whoami,
	.parse_whoami = graph_parse_whoami,
	.build_poll = graph_build_poll,
	.parse_poll = graph_parse_poll,
	.check_send = graph_check_send,
	.build_send = graph_build_send,
	.parse_send = graph_parse_send,
	.platform_label = "Instagram",
	.module_data = &instagram,
};

G_MODULE_EXPORT const BdmModule *branddm_module_entry(void);

G_MODULE_EXPORT const BdmModule *branddm_module_entry(void)
{
	return &instagram_module;
}
