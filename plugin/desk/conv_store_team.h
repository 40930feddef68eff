/*
 * The "team" conversation-state store: the state a team of agents shares in
 * PostgreSQL (core/team_schema.c), with the agent's own local store as its
 * cache and outbox.
 *
 * Reads never wait: load and list answer from the local store, which the
 * team database keeps current (a NOTIFY names every changed conversation,
 * and bdm_store_team_changed fetches it).  A save is written locally at
 * once and sent to the team database in the background, in order.  What
 * must happen once per customer — a claim, a ticket number — is decided by
 * the team database only (the "auto_reply" claim is also lost when a human
 * reply already answers the customer's last message): the answer comes later (bdm_store_claim,
 * bdm_store_assign_ticket), and while the database is away the request
 * waits and is settled exactly once when it returns.
 *
 * It lives in plugin/desk, not core, because its link (team_db.c) runs on
 * libpurple's event loop.
 */
#ifndef BRANDDM_CONV_STORE_TEAM_H
#define BRANDDM_CONV_STORE_TEAM_H

#include "conv_store.h"
#include "team_db.h"

/** A conversation changed in the team database and the local store has the
 *  new state: the desk reloads what it shows. */
typedef void (*BdmStoreChangedFunc)(const char *platform, const char *account,
                                    const char *customer, gpointer data);

/** A team store over local and db (both taken over: closed with it; closing
 *  answers waiting claims and tickets with an error).  agent names this client. */
BdmStore *bdm_store_team_new(BdmStore *local, BdmTeamDb *db, const char *agent,
                             BdmStoreChangedFunc changed, gpointer data);

/** Fetch one conversation (a NOTIFY named it), or with customer NULL every
 *  one of the account (at sign-on, link back), into the local store; changed for each. */
void bdm_store_team_fetch(BdmStore *store, const char *platform, const char *account,
                          const char *customer);

/** The Postgres array literal of tags ({"a","b\"c"}), for a text[] parameter.
 *  g_free it. */
char *bdm_store_team_array_literal(const GPtrArray *tags);

#endif /* BRANDDM_CONV_STORE_TEAM_H */
