/*
 * Facebook Page Messenger: a Page's conversations through the Graph API.
 *
 * All the work is in graph*.c, shared with Instagram; this file holds what
 * is Messenger's own: names, limits and the module table.
 */
#include <gmodule.h>

#include "branddm/i18n.h"
#include "graph.h"

static const GraphFlavor messenger = {
	.service = "Facebook",
	.messaging = "Messenger",
	.platform_query = "messenger",
	.whoami_fields = "id,name",
	.text_limit = 2000,
	.text_limit_in_bytes = 0,
	.message_cap = 0,
	.extra_self_option = NULL,
};

static const BdmAccountOption facebook_options[] = {
	{ "api_base", N_("API base URL"), BDM_OPT_STRING, GRAPH_DEFAULT_API_BASE, 0 },
	{ "poll_interval", N_("Seconds between checks for new messages"), BDM_OPT_INT, NULL, 10 },
	{ "human_agent", N_("Allow replies up to 7 days (human agent tag)"), BDM_OPT_BOOL, NULL, FALSE },
	{ NULL, NULL, 0, NULL, 0 }
};

static const BdmModule facebook_module = {
	.magic = BDM_MODULE_MAGIC,
	.abi_version = BDM_ABI_VERSION,
	.struct_size = sizeof(BdmModule),
	.protocol_id = "prpl-branddm-facebook",
	.name = "Facebook Page Messenger",
	.platform = "facebook",
	.default_api_base = GRAPH_DEFAULT_API_BASE,
	.username_label = N_("Facebook Page ID"),
	.password_label = N_("Page access token"),
	.options = facebook_options,
	/* Graph does not promise an order, so the host dedupes every page. */
	.flags = BDM_MODULE_NUMERIC_USERNAME,
	.text_limit = 2000,
	.text_limit_in_bytes = 0,
	.min_poll_interval = 2,
	.build_whoami = graph_build_whoami,
	.parse_whoami = graph_parse_whoami,
	.build_poll = graph_build_poll,
	.parse_poll = graph_parse_poll,
	.check_send = graph_check_send,
	.build_send = graph_build_send,
	.parse_send = graph_parse_send,
	.platform_label = "Facebook",
	.module_data = &messenger,
	.build_upload = graph_build_upload,
	.parse_upload = graph_parse_upload,
};

G_MODULE_EXPORT const BdmModule *branddm_module_entry(void);

G_MODULE_EXPORT const BdmModule *branddm_module_entry(void)
{
	return &facebook_module;
}
