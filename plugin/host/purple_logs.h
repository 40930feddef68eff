/*
 * One record of a brand's conversations: BrandDM's own log.  libpurple's
 * chat logs (<purple dir>/logs/<protocol>/<account>/<customer>/) would keep
 * every word outside BrandDM's retention and erasure, so they are turned off
 * for BrandDM accounts (the user's other accounts are left alone), and what
 * earlier versions left there, and in the buddy list, is removed when a
 * customer is erased or falls out of retention.
 */
#ifndef BRANDDM_PURPLE_LOGS_H
#define BRANDDM_PURPLE_LOGS_H

#include <account.h>

/** Remember handle as the owner of the callbacks to come.
 *  Called when the plugin loads, before libpurple's conversations exist. */
void bdm_purple_logs_init(void *handle);

/** A BrandDM account starts logging in: from now on libpurple's logging is
 *  turned off for every conversation of a BrandDM account. */
void bdm_purple_logs_logging_in(PurpleAccount *account);

/** A BrandDM account is connected: forget the customers an erase marked
 *  (their chat logs and buddies on this account). */
void bdm_purple_logs_connected(PurpleAccount *account);

/** Remove what libpurple keeps about customer on the BrandDM accounts of
 *  platform (NULL: all): its chat-log folder, its buddy, its open conversation. */
void bdm_purple_forget_customer(const char *platform, const char *customer);

/** Delete libpurple chat-log files of BrandDM accounts last written before
 *  older_than (Unix seconds): retention reaches them too. */
void bdm_purple_logs_prune(gint64 older_than);

#endif /* BRANDDM_PURPLE_LOGS_H */
