/*
 * Sending the agent's files: Pidgin's and Finch's Send File, and the desk's
 * /attach.
 *
 * A file is read whole (at most BDM_MEDIA_MAX_BYTES, a regular file only),
 * its type proven by its content, and checked by the desk's policy before
 * anything leaves; only a file that passed gets a libpurple transfer, so
 * the transfer window shows what really goes out.  Then the module's upload
 * request (its progress in the transfer window), then the message referring
 * to the uploaded id through send.c, with send.c's retries.  Once the
 * platform confirmed it, the file is archived content-addressed beside
 * customers' files and logged as a reply with its attachment metadata.
 */
#ifndef BRANDDM_SEND_FILE_H
#define BRANDDM_SEND_FILE_H

#include <ft.h>
#include "conn.h"

typedef struct BdmOutgoingFile BdmOutgoingFile;

/** Check the file at path (and caption, may be NULL) for who and, when the
 *  policy lets it through, upload and send it; every outcome is told in the
 *  conversation. */
void bdm_send_file(BdmConn *conn, const char *who, const char *path, const char *caption);

/** libpurple send_file: Send File from the conversation or buddy menu
 *  (filename NULL: libpurple asks for one) and files dropped on a conversation. */
void bdm_prpl_send_file(PurpleConnection *gc, const char *who, const char *filename);

/** libpurple new_xfer: a transfer to who whose file is chosen later. */
PurpleXfer *bdm_prpl_new_xfer(PurpleConnection *gc, const char *who);

/** libpurple can_receive_file: TRUE when the account's module can upload
 *  files (Instagram's cannot), so Send File is offered only where it works. */
gboolean bdm_prpl_can_receive_file(PurpleConnection *gc, const char *who);

/** Stop every file of a closing connection that is not uploaded yet, telling
 *  the agent (files being sent are send.c's, see bdm_send_abort_all). */
void bdm_send_file_abort_all(BdmConn *conn);

/* ---- for send.c: the message that carries an uploaded file -------------- */

/** The uploaded id and kind to put in the message, and whether the caption
 *  goes with it (NULL when it goes apart or there is none). */
const char *bdm_outgoing_file_attachment(const BdmOutgoingFile *file, BdmAttachmentKind *kind,
                                         const char **caption);

/** The platform confirmed the message: archive, log (as message_id), show,
 *  complete the transfer; then send the caption apart if it must. */
void bdm_outgoing_file_confirmed(BdmOutgoingFile *file, const char *message_id);

/** The message was not sent (reason: plain text, already told by send.c):
 *  end the transfer as failed. */
void bdm_outgoing_file_failed(BdmOutgoingFile *file);

/** Release a file send.c no longer needs (a running transfer is ended). */
void bdm_outgoing_file_free(BdmOutgoingFile *file);

#endif /* BRANDDM_SEND_FILE_H */
