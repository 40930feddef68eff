/*
 * Sniffing a file's type from its first bytes, and file names safe to show
 * (no directories, control or bidi characters).  Plain C + GLib, no
 * libpurple: the receive side and the policy's attachment rules share it.
 */
#ifndef BRANDDM_MEDIA_SNIFF_H
#define BRANDDM_MEDIA_SNIFF_H

#include <glib.h>

/** The MIME type the content's first bytes prove, "application/octet-stream"
 *  for unknown; *is_program set for executables; *w, *h from an image header. */
const char *bdm_media_sniff(const guint8 *data, gsize len, gboolean *is_program,
                            int *w, int *h);

/** A file name safe to show: no directories, controls or markup-breaking length.
 *  NULL for NULL or a name with nothing left. */
char *bdm_media_safe_name(const char *name);

#endif /* BRANDDM_MEDIA_SNIFF_H */
