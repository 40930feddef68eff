/*
 * Lists of conversations the agent can open: the Waiting and Escalated
 * lists and /search results, shown with libpurple's search-results window
 * (purple_notify_searchresults), which Pidgin and Finch both draw as a
 * table with buttons.  Each row remembers which conversation it is; its
 * "Open" (IM) button opens it, on whichever BrandDM account it belongs to.
 */
#ifndef BRANDDM_DESK_RESULTS_H
#define BRANDDM_DESK_RESULTS_H

#include <glib.h>
#include <connection.h>

typedef struct BdmResults BdmResults;

/** A list with these column titles (NULL-terminated, translated).
 *  Free it with bdm_desk_results_free unless it was shown. */
BdmResults *bdm_desk_results_new(const char *const *columns);

/** Append a row opening customer on the account (platform, account); cells
 *  holds one string per column, copied (NULL shows as empty). */
void bdm_desk_results_add_row(BdmResults *results, const char *platform, const char *account,
                              const char *customer, const char *const *cells);

/** How many rows were added.
 *  Callers show a plain notice instead of an empty table. */
guint bdm_desk_results_count(const BdmResults *results);

/** Show the list as gc's search results, with an Open button; takes results.
 *  Without a UI for search results (or gc NULL) it is freed, shown nowhere. */
void bdm_desk_results_show(BdmResults *results, PurpleConnection *gc, const char *title,
                           const char *primary, const char *secondary);

/** TRUE when this UI draws search-results rows in reverse (Finch adds each
 *  at the top): rows are then handed to it last first. */
gboolean bdm_desk_results_ui_reverses(void);

/** Free a list that was not shown.
 *  NULL is allowed. */
void bdm_desk_results_free(BdmResults *results);

/** Open (or bring forward) the conversation with customer on the connected
 *  BrandDM account (platform, account); FALSE when that account is not connected. */
gboolean bdm_desk_open_conversation(const char *platform, const char *account,
                                    const char *customer);

#endif /* BRANDDM_DESK_RESULTS_H */
