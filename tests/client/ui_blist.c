/*
 * bdm-testclient: buddy-list events (see ui_blist.h).
 */
#include "event.h"
#include "ui_blist.h"

/* Not const: purple_blist_set_ui_ops() writes its save callbacks here. */
static PurpleBlistUiOps blist_ui_ops;

PurpleBlistUiOps *bdm_blist_ui_ops(void)
{
	return &blist_ui_ops;
}

void bdm_blist_add_buddy(JsonBuilder *builder, PurpleBuddy *buddy)
{
	PurpleGroup *group = purple_buddy_get_group(buddy);

	bdm_event_add_account(builder, purple_buddy_get_account(buddy));
	bdm_event_add_string(builder, "name", purple_buddy_get_name(buddy));
	bdm_event_add_string(builder, "alias", purple_buddy_get_alias(buddy));
	bdm_event_add_string(builder, "local_alias", purple_buddy_get_local_buddy_alias(buddy));
	bdm_event_add_string(builder, "server_alias", purple_buddy_get_server_alias(buddy));
	bdm_event_add_string(builder, "group", group ? purple_group_get_name(group) : NULL);
	bdm_event_add_bool(builder, "online", PURPLE_BUDDY_IS_ONLINE(buddy));
}

static void emit_buddy(const char *event, PurpleBuddy *buddy)
{
	JsonBuilder *builder = bdm_event_begin(event);

	bdm_blist_add_buddy(builder, buddy);
	bdm_event_emit(builder);
}

static void buddy_added_cb(PurpleBuddy *buddy, gpointer data)
{
	(void)data;
	emit_buddy("buddy", buddy);
}

static void buddy_removed_cb(PurpleBuddy *buddy, gpointer data)
{
	(void)data;
	emit_buddy("buddy-removed", buddy);
}

static void node_aliased_cb(PurpleBlistNode *node, const char *old_alias, gpointer data)
{
	(void)old_alias;
	(void)data;
	/* Contacts and groups have aliases too; only buddies are customers. */
	if (PURPLE_BLIST_NODE_IS_BUDDY(node))
		emit_buddy("buddy", (PurpleBuddy *)node);
}

void bdm_blist_connect_signals(BdmClient *client)
{
	void *blist = purple_blist_get_handle();

	purple_signal_connect(blist, "buddy-added", client,
	                      PURPLE_CALLBACK(buddy_added_cb), client);
	purple_signal_connect(blist, "buddy-removed", client,
	                      PURPLE_CALLBACK(buddy_removed_cb), client);
	purple_signal_connect(blist, "blist-node-aliased", client,
	                      PURPLE_CALLBACK(node_aliased_cb), client);
}
