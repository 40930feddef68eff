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

typedef struct BdmOutgoingFile BdmOutgoingFile;

/** Send an uploaded file (send_file.c) to who with send_im's retries; takes
 *  file, which hears the outcome (bdm_outgoing_file_confirmed or _failed). */
void bdm_send_uploaded_file(BdmConn *conn, const char *who, BdmOutgoingFile *file);

/** Send text the policy already let through (a file's caption that goes as
 *  a message of its own), as send_im would. */
void bdm_send_checked_text(BdmConn *conn, const char *who, const char *text);

/** Drop every unconfirmed send of a closing connection, telling the agent
 *  which replies did not go out. */
void bdm_send_abort_all(BdmConn *conn);

#endif /* BRANDDM_SEND_H */
