/*
 * What the desk adds to libpurple's UI surfaces: protocol actions
 * (the Accounts menu), buddy tooltips and buddy-list emblems.
 */
#ifndef BRANDDM_DESK_ACTIONS_H
#define BRANDDM_DESK_ACTIONS_H

#include <blist.h>
#include <notify.h>
#include <plugin.h>

/** Protocol actions of every BrandDM protocol: Templates, Waiting
 *  conversations, Escalated conversations, Policy summary, Open log folder. */
GList *bdm_desk_protocol_actions(PurplePlugin *plugin, gpointer context);

/** Tooltip lines for a customer buddy: escalation, tags, waiting time.
 *  (PurplePluginProtocolInfo.tooltip_text) */
void bdm_desk_tooltip_text(PurpleBuddy *buddy, PurpleNotifyUserInfo *info, gboolean full);

/** Buddy-list emblem for an escalated customer, NULL for none.
 *  (PurplePluginProtocolInfo.list_emblem) */
const char *bdm_desk_list_emblem(PurpleBuddy *buddy);

#endif /* BRANDDM_DESK_ACTIONS_H */
