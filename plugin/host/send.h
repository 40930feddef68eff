/*
 * Sending the agent's replies through the protocol module.
 */
#ifndef BRANDDM_SEND_H
#define BRANDDM_SEND_H

#include <errno.h>
#include "conn.h"

/** libpurple send_im callback for every BrandDM protocol: policy, platform
 *  rules, HTTP with safe retries; the reply is echoed once confirmed. */
int bdm_send_im(PurpleConnection *gc, const char *who, const char *message,
                PurpleMessageFlags flags);

/** Drop every unconfirmed send of a closing connection, telling the agent
 *  which replies did not go out. */
void bdm_send_abort_all(BdmConn *conn);

#endif /* BRANDDM_SEND_H */
