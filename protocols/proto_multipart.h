/*
 * multipart/form-data bodies (RFC 7578) for file uploads, built in memory
 * from bytes the host read: the modules stay sans-I/O.
 *
 * The boundary is derived from the file's SHA-256, so a request is the same
 * for the same file (tests compare it byte for byte) and is checked against
 * every part: a boundary that occurs in the data would cut the file short.
 */
#ifndef BRANDDM_PROTO_MULTIPART_H
#define BRANDDM_PROTO_MULTIPART_H

#include "branddm/protocol.h"

typedef struct ProtoMultipart ProtoMultipart;

/** A new body whose boundary occurs nowhere in file (the file to be added).
 *  Free with proto_multipart_free or hand it to proto_multipart_finish. */
G_GNUC_INTERNAL
ProtoMultipart *proto_multipart_new(const unsigned char *file, size_t file_len);

/** Add a text field (name=value); content_type may be NULL for plain text.
 *  The value is sent as is, so it must not hold the boundary (JSON never does). */
G_GNUC_INTERNAL
void proto_multipart_add_field(ProtoMultipart *mp, const char *name, const char *value,
                               const char *content_type);

/** Add the file part; filename's quotes and line breaks are percent-encoded
 *  (as browsers do) so it cannot break out of its header. */
G_GNUC_INTERNAL
void proto_multipart_add_file(ProtoMultipart *mp, const char *name, const char *filename,
                              const char *content_type, const unsigned char *data, size_t len);

/** Close the body and move it into out (body, body_len, content_type with
 *  the boundary); frees mp. */
G_GNUC_INTERNAL
void proto_multipart_finish(ProtoMultipart *mp, BdmRequest *out);

/** Release an unfinished body; NULL is allowed.
 *  Used on error paths. */
G_GNUC_INTERNAL
void proto_multipart_free(ProtoMultipart *mp);

#endif /* BRANDDM_PROTO_MULTIPART_H */
