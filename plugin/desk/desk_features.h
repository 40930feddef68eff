/*
 * What the desk's feature files share: templates (desk_templates.c),
 * escalation and tags (desk_escalation.c), response-time targets
 * (desk_sla.c), escalation webhooks (desk_webhook.c), the out-of-hours
 * acknowledgement (desk_autoreply.c) and the per-conversation desk state
 * they all read and write (desk_conv.c).  desk_features.c loads the
 * configuration and ties them to libpurple.
 */
#ifndef BRANDDM_DESK_FEATURES_H
#define BRANDDM_DESK_FEATURES_H

#include <blist.h>

#include "conv_store.h"
#include "host_signals.h"
#include "team_db.h"
#include "desk_config.h"
#include "desk_internal.h"
#include "log_read.h"
#include "sla.h"
#include "templates.h"

/* ---- desk_features.c: configuration ------------------------------------ */

/** The desk configuration in force (never NULL after init).
 *  Owned by the desk; a reload replaces it. */
const BdmDeskConfig *bdm_desk_config(void);

/** The template library in force (never NULL after init, maybe empty).
 *  Owned by the desk; /tpl reload replaces it. */
const BdmTemplates *bdm_desk_templates(void);

/** Reload templates.conf; on failure the previous library stays in force.
 *  *message (may be NULL) tells the agent what happened. */
gboolean bdm_desk_templates_reload(char **message);

/** The agent's name for {agent.name}: [team] agent, else the OS account's
 *  real name, else its user name.  Never NULL. */
const char *bdm_desk_agent_name(void);

/** A JSON object for a log event's detail from (spec, value) pairs ending in
 *  NULL; spec is "s:key" (string or NULL), "i:key" (gint64), "b:key" (gboolean). */
char *bdm_desk_json_detail(const char *first, ...) G_GNUC_NULL_TERMINATED;

/** Put text into conv's message box: the "branddm-compose" data and the
 *  "branddm-compose-insert" signal, which the UI helpers act on from the main loop. */
void bdm_desk_compose_put(PurpleConversation *conv, const char *text);

/* ---- desk_conv.c: per-conversation desk state -------------------------- */

/** Open the store: local alone, the team's with [team] database.
 *  Called once by bdm_desk_features_init, after the configuration is read. */
void bdm_desk_conv_init(void);

/** What the desk knows about one conversation (one customer of one brand
 *  account): the store's state, cached (see conv_store.h for the fields). */
typedef BdmConvState BdmDeskConv;

/** The desk state of a conversation, loaded from the store on first use and
 *  created empty when there is none.  Owned by the cache; never NULL. */
BdmDeskConv *bdm_desk_conv_get(const char *platform, const char *account,
                               const char *customer);

/** The desk state of conn's conversation with customer.
 *  Same as bdm_desk_conv_get with conn's platform and account. */
BdmDeskConv *bdm_desk_conv_of(BdmConn *conn, const char *customer);

/** The desk state of the conversation an IM window or buddy stands for;
 *  NULL when the account is not a BrandDM one. */
BdmDeskConv *bdm_desk_conv_of_account(PurpleAccount *account, const char *customer);

/** The platform name of a BrandDM account ("facebook"), NULL for others.
 *  Works while the account is offline. */
const char *bdm_desk_account_platform(PurpleAccount *account);

/** Every conversation of one brand account the desk has state for, as
 *  BdmDeskConv pointers (the array is new, the items are the cache's). */
GPtrArray *bdm_desk_conv_list(const char *platform, const char *account);

/** Store the fields (BdmConvField mask) of conv in one transaction.
 *  FALSE with error when the store refused; conv keeps its new values. */
gboolean bdm_desk_conv_save(BdmDeskConv *conv, guint fields, GError **error);

/** Replace conv's cached state with what the store holds: after a refused
 *  save, what the agent sees is what is stored again. */
void bdm_desk_conv_reload(BdmDeskConv *conv);

/** Tag (on) or untag conv with label, stored before conv->tags changes.
 *  FALSE with error, and nothing changed, when the log refused it. */
gboolean bdm_desk_conv_set_tag(BdmDeskConv *conv, const char *label, gboolean on,
                               GError **error);

/** Give the conversation a ticket reference if it has none ("FACEBOOK-7",
 *  numbered per platform, one transaction): done hears it, at once alone, later in a team. */
void bdm_desk_conv_ensure_ticket(BdmDeskConv *conv, BdmTicketDone done, gpointer data);

/** Claim a once-only action on conv ("auto_reply"): done hears BDM_CLAIM_WON by
 *  the one caller of the team that acts; on BDM_CLAIM_ERROR nobody acts now. */
void bdm_desk_conv_claim(BdmDeskConv *conv, const char *action, BdmClaimDone done,
                         gpointer data);

/** The conversation a /command runs in, with its connection; NULL and a
 *  refusal for the agent in *error when it is no connected BrandDM one. */
BdmDeskConv *bdm_desk_command_conv(PurpleConversation *pconv, BdmConn **conn, gchar **error);

/** The connected BrandDM connection of a brand account, or NULL.
 *  For work that finishes later, and for what colleagues' clients announce. */
BdmConn *bdm_desk_connection_of(const char *platform, const char *account);

/** The connected BrandDM connection of conv's brand account, or NULL.
 *  For work that finishes later (a team database answered). */
BdmConn *bdm_desk_conv_connection(const BdmDeskConv *conv);

/** A colleague's client changed conv (the team store has the new state):
 *  reload it and show it (alias, response-time timers). */
void bdm_desk_conv_changed_elsewhere(const char *platform, const char *account,
                                     const char *customer);

/** The customer's last message as shown (memory only), or NULL.
 *  For webhook excerpts. */
const char *bdm_desk_conv_last_text(BdmDeskConv *conv);

/** Remember text as the customer's last message.
 *  Copied. */
void bdm_desk_conv_set_last_text(BdmDeskConv *conv, const char *text);

/** The customer's name for display and templates: the platform's name,
 *  else the last one seen, else NULL.  conn may be NULL. */
const char *bdm_desk_conv_customer_name(BdmDeskConv *conv, BdmConn *conn);

/** " [overdue, legal, urgent, vip, @Alice Martin]": the suffix the buddy list
 *  shows after the name (waiting/due soon/overdue first, assignee last), "" when none.  g_free it. */
char *bdm_desk_conv_badge(const BdmDeskConv *conv);

/** Put the current badge into the buddy's alias (buddy list, conversation
 *  title) without the "is now known as" line serv_got_alias writes. */
void bdm_desk_conv_refresh_alias(BdmDeskConv *conv, PurpleAccount *account);

/** The buddy-list alias for a customer (the host's buddy_alias hook): name
 *  (the platform's display name, may be NULL) plus the badge.  g_free it. */
char *bdm_desk_buddy_alias(BdmConn *conn, const char *customer_id, const char *name);

/** Forget every cached conversation and close the store; the store keeps them.
 *  Called when the desk shuts down. */
void bdm_desk_conv_shutdown(void);

/* ---- desk_templates.c --------------------------------------------------- */

/** Register /tpl and /tpl-lang.
 *  Called once by bdm_desk_features_init. */
void bdm_desk_templates_init(void);

/** Forget the remembered expansions.
 *  Called when the desk shuts down. */
void bdm_desk_templates_shutdown(void);

/** Expand template name for conv (context: customer, agent, brand, platform,
 *  ticket, language); automated: only automated=true templates.  NULL + error. */
char *bdm_desk_template_expand(BdmConn *conn, BdmDeskConv *conv, const char *name,
                               gboolean automated, char **locale_used, GError **error);

/** Remember that text is template name's expansion for conv, so the log row
 *  of the message that carries it names the template. */
void bdm_desk_template_remember(BdmDeskConv *conv, const char *name, const char *text);

/* ---- desk_template_ask.c ------------------------------------------------ */

/** What an {ask:} dialog hands back while pconv is open, at most once: answers
 *  (label -> what the agent typed), or NULL when the agent cancelled. */
typedef void (*BdmDeskAskDone)(PurpleConversation *pconv, GHashTable *answers, gpointer data);

/** Ask the agent in pconv for labels (one dialog, a field each) to fill in template
 *  name, to insert or send; FALSE when this client cannot ask.  destroy frees data. */
gboolean bdm_desk_template_ask(PurpleConversation *pconv, const char *name, GPtrArray *labels,
                               gboolean send, BdmDeskAskDone done, gpointer data,
                               GDestroyNotify destroy);

/** Close the {ask:} dialogs open in pconv (NULL: every one) without calling done.
 *  For a conversation that closes and for the desk's shutdown. */
void bdm_desk_template_ask_close(PurpleConversation *pconv);

/* ---- desk_escalation.c -------------------------------------------------- */

/** Register /escalate, /tag, /untag and /resolve.
 *  Called once by bdm_desk_features_init. */
void bdm_desk_escalation_init(void);

/** Run the auto-escalation triggers on a customer's message: tag, escalate
 *  (with webhook) or mark urgent as each rule says; in a team, one client per message. */
void bdm_desk_escalation_incoming(BdmConn *conn, BdmDeskConv *conv, const char *text,
                                  const char *message_id);

/* ---- desk_webhook.c ----------------------------------------------------- */

/** POST payload (JSON, taken over) to url for an escalation of conv, with
 *  [webhook] retries; logged, and a final failure shown in the conversation. */
void bdm_desk_webhook_post(BdmConn *conn, BdmDeskConv *conv, const char *department,
                           const char *url, char *payload);

/** Cancel every webhook still in flight or waiting to retry.
 *  Call before the HTTP engine shuts down. */
void bdm_desk_webhook_shutdown(void);

/* ---- desk_sla.c ---------------------------------------------------------- */

/** Register the IPC command "set-clock-offset" (one string argument, the
 *  offset in seconds; answers "ok"): a test and diagnostic hook for bdm_now. */
void bdm_desk_sla_init(void);

/** Stop the timers and unregister the hook.
 *  Called when the desk shuts down. */
void bdm_desk_sla_shutdown(void);

/** Re-evaluate every conversation of the connected accounts from the main
 *  loop: give due alerts and set one timer for the next level change. */
void bdm_desk_sla_reschedule(void);

/** A customer message at time t starts (or moves back) conv's clock.
 *  Stored at once; alerts follow from the main loop. */
void bdm_desk_sla_inbound(BdmDeskConv *conv, gint64 t);

/** Stop conv's clock: replied to (resolve FALSE) or resolved (TRUE, which
 *  also ends the urgent target). */
void bdm_desk_sla_stop(BdmDeskConv *conv, gboolean resolve);

/** Make conv's target the urgent one (escalation "urgent").
 *  It stays until the conversation is resolved. */
void bdm_desk_sla_set_urgent(BdmDeskConv *conv);

/** "1 h 05 min", "3 d 2 h", "45 s": a duration for agents.
 *  g_free it. */
char *bdm_desk_format_duration(gint64 seconds);

/** "2026-12-05 10:02": when a logged message was written, in local time.
 *  g_free it. */
char *bdm_desk_format_stamp(gint64 t);

/** When a log record's message was written: the platform's time, else the
 *  time it was logged. */
gint64 bdm_desk_record_time(const BdmLogRecord *r);

/* ---- desk_team.c ----------------------------------------------------------- */

/** The store to use: local as it is, or (with [team] database) a team store
 *  over it, its link started.  Called by bdm_desk_conv_init. */
BdmStore *bdm_desk_team_init(BdmStore *local);

/** Forget the link (the store owns and frees it).
 *  Called by bdm_desk_conv_shutdown before it closes the store. */
void bdm_desk_team_shutdown(void);

/** TRUE when this client is one of a team (a shared store): once-only
 *  actions are claimed before they happen. */
gboolean bdm_desk_team_active(void);

/** The team database link, for read-only queries of other desk parts.
 *  NULL without a team. */
BdmTeamDb *bdm_desk_team_db(void);

/** The host's reply_author hook: the agent who wrote a brand message, or
 *  "automatic", as the team recorded it; NULL alone or when not known. */
const char *bdm_desk_reply_author(BdmConn *conn, const char *customer_id,
                                  const char *message_id, const char *text);

/** Make this agent the assignee of conv unless someone already is, as the
 *  team database decides; the result arrives like any colleague's change. */
void bdm_desk_team_assign_first(const BdmDeskConv *conv);

/* ---- desk_team_poll.c ------------------------------------------------------- */

/** Start leasing the polling of brand accounts through db (the team's link).
 *  Called by bdm_desk_team_init. */
void bdm_desk_team_poll_init(BdmTeamDb *db);

/** Forget the leases (the server drops the locks with the session).
 *  Called by bdm_desk_team_shutdown. */
void bdm_desk_team_poll_shutdown(void);

/** The host's may_poll hook: TRUE alone, when the link is down, or while
 *  this client holds the account's lease; else it asks for the lease. */
gboolean bdm_desk_team_may_poll(BdmConn *conn);

/** The link went up or down: a down link lost every lease.
 *  Called by desk_team.c's link report. */
void bdm_desk_team_poll_link(gboolean up);

/** A message of a customer was recorded by the team: without the lease,
 *  fetch and deliver it. */
void bdm_desk_team_poll_notified(const char *platform, const char *account, const char *customer);

/** Fetch and deliver what the team recorded for an account lately (at
 *  sign-on, and when the link comes back), unless this client polls it. */
void bdm_desk_team_poll_sync(const char *platform, const char *account);

/* ---- desk_log_ship.c -------------------------------------------------------- */

/** Start shipping the conversation log through db (the team's link) and
 *  applying erasure orders.  Called by bdm_desk_team_init. */
void bdm_desk_log_ship_init(BdmTeamDb *db);

/** The link went up (ship the backlog) or down (what was on the wire is sent again).
 *  Called by desk_team.c's link report. */
void bdm_desk_log_ship_link(gboolean up);

/** An administrator left an erasure order: apply it before shipping on.
 *  Called on the "erase" notice. */
void bdm_desk_log_ship_erasure_ordered(void);

/** This log's chain id in the team database, NULL when not shipping.
 *  Owned by the shipper. */
const char *bdm_desk_log_ship_chain(void);

/** Stop shipping (what is not confirmed goes up next time).
 *  Called by bdm_desk_team_shutdown. */
void bdm_desk_log_ship_shutdown(void);

/* ---- desk_history.c --------------------------------------------------------- */

/** Register /history [N]: earlier messages with the customer from the log.
 *  Called by bdm_desk_init. */
void bdm_desk_history_init(void);

/* ---- desk_search.c --------------------------------------------------------- */

/** Register /search TEXT: matching messages from the log and the team.
 *  Called by bdm_desk_init. */
void bdm_desk_search_init(void);

/** Drop searches still running (their lists are never shown).
 *  Called when the desk shuts down. */
void bdm_desk_search_shutdown(void);

/** Show the history in every conversation that opens from now on.
 *  Called once libpurple's conversation signals exist (from the main loop). */
void bdm_desk_history_connect_signals(void);

/* ---- desk_assign.c --------------------------------------------------------- */

/** Register /assign, /unassign and /handover, and assignment by first reply.
 *  Called once by bdm_desk_features_init. */
void bdm_desk_assign_init(void);

/** TRUE when the team knows d (by id or announced text) as an automatic
 *  reply (it does not answer the customer: the response clock goes on). */
gboolean bdm_desk_team_automated(const BdmDelivery *d);

/* ---- desk_autoreply.c ---------------------------------------------------- */

/** Send the out-of-hours acknowledgement for conv if the desk is closed,
 *  it applies to conn's account and conv never had it. */
void bdm_desk_autoreply_incoming(BdmConn *conn, BdmDeskConv *conv);

#endif /* BRANDDM_DESK_FEATURES_H */
