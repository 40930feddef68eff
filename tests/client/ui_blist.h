/*
 * bdm-testclient: buddy-list changes as "buddy" events.
 *
 * The BrandDM protocols put each customer in the buddy list with their
 * platform name as alias; tests check what the agent sees there.
 */
#ifndef BDM_CLIENT_UI_BLIST_H
#define BDM_CLIENT_UI_BLIST_H

#include <json-glib/json-glib.h>
#include <purple.h>

#include "client.h"

/* Buddy-list UI ops for purple_blist_set_ui_ops().  They are empty on
 * purpose: libpurple then fills in its own blist.xml saving, which it
 * skips entirely when a UI sets no blist ops at all. */
PurpleBlistUiOps *bdm_blist_ui_ops(void);

/* Add the members describing buddy to an open object: account, protocol,
 * name, alias (as shown), local_alias, server_alias, group. */
void bdm_blist_add_buddy(JsonBuilder *builder, PurpleBuddy *buddy);

/* Report buddies added, removed or re-aliased from now on; connect after
 * purple_blist_load() so the saved list does not replay as new buddies. */
void bdm_blist_connect_signals(BdmClient *client);

#endif /* BDM_CLIENT_UI_BLIST_H */
