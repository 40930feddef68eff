/*
 * Polling a brand account for customer messages.
 *
 * A poll cycle fetches the first page and every cursor the module returns,
 * collects the messages, then delivers the new ones oldest first.  "New" is
 * decided by the conversation log's delivered-id table, written before a
 * message is shown, so a restart neither repeats nor loses messages even if
 * libpurple's delayed saves of accounts.xml never happened.
 */
#ifndef BRANDDM_POLLER_H
#define BRANDDM_POLLER_H

#include "conn.h"

/** Begin polling a freshly connected account: one cycle now, then every
 *  poll interval (longer after failures or when the platform asks). */
void bdm_poll_start(BdmConn *conn);

/** Show every customer buddy of a freshly connected account as available
 *  (platforms have no presence; buddy lists hide offline buddies). */
void bdm_poll_show_customers(BdmConn *conn);

/** Stop polling and free the poll state; in-flight calls are the caller's
 *  to cancel (bdm_account_close does). */
void bdm_poll_stop(BdmConn *conn);

/** Seconds between polls for this account: the account option clamped to the
 *  module's minimum. */
guint bdm_poll_interval(const BdmConn *conn);

/** Deliver messages another client fetched (a team's poller): they take the
 *  same way as polled ones (journal, display, signals); messages is taken over. */
void bdm_poll_deliver(BdmConn *conn, GPtrArray *messages);

/** TRUE while message_id is logged and about to be shown in this delivery
 *  turn (the one being shown now counts): history must not show it too. */
gboolean bdm_poll_showing(const BdmConn *conn, const char *message_id);

#endif /* BRANDDM_POLLER_H */
