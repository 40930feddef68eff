/*
 * Customers' attachments: fetched, checked and saved before their message
 * is logged and shown.
 *
 * CDN links expire within hours, so each file is fetched as soon as the
 * poll finds it, without the account's token (the request goes to a CDN
 * host, never the API), within BDM_MEDIA_MAX_BYTES and the account's
 * timeout, with no redirect followed.  The content decides the type (magic
 * bytes), never the name or the declared type; a program is never saved.
 * Files are stored content-addressed (sha256) under
 * <purple user dir>/branddm/media/ (directory 0700, files 0600).  Only
 * PNG/JPEG/GIF whose header gives a pixel size under the caps are shown
 * inline: Pidgin decodes them with gdk-pixbuf, and a customer's image is
 * hostile input.
 */
#ifndef BRANDDM_MEDIA_H
#define BRANDDM_MEDIA_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include "branddm/protocol.h"
#include "http.h"
#include "media_sniff.h"

/** Largest attachment fetched, in bytes (the platforms' own 25 MB). */
#define BDM_MEDIA_MAX_BYTES (25u * 1024u * 1024u)
/** Largest width or height, in pixels, of an image shown inline. */
#define BDM_MEDIA_MAX_SIDE 4096
/** Largest pixel count of an image shown inline (a bomb declares millions). */
#define BDM_MEDIA_MAX_PIXELS (4096L * 4096L)
/** Account setting: seconds one download may take. */
#define BDM_MEDIA_TIMEOUT_OPTION "media_timeout"
/** Its default, in seconds. */
#define BDM_MEDIA_TIMEOUT_DEFAULT_S 30

/** Where a fetch ended. */
typedef enum {
	BDM_MEDIA_PENDING = 0,
	BDM_MEDIA_SAVED,       /* on disk: path, sha256, type, size are set */
	BDM_MEDIA_FAILED,      /* not saved: reason says why */
	BDM_MEDIA_LINK_ONLY    /* not fetchable with the account's token: reason and url */
} BdmMediaState;

typedef struct BdmMediaBatch BdmMediaBatch;

/** One attachment of one message, as declared and as fetched. */
typedef struct {
	char *message_id;
	BdmAttachmentKind kind;
	char *url;
	char *name;            /* sanitised for display; NULL when none was given */
	char *declared_type;   /* as the platform said, may be NULL */
	long long declared_size;
	char *platform_id;
	unsigned int flags;    /* BDM_ATTACHMENT_* */
	BdmMediaState state;
	char *reason;          /* plain text, set unless SAVED */
	const char *type;      /* MIME type found in the content (static string) */
	gsize size;
	char *sha256;          /* lower-case hex */
	char *path;
	int width, height;     /* pixels read from an image header, 0 if none */
	GBytes *inline_data;   /* a safe PNG/JPEG/GIF to show inline, else NULL */
	BdmHttpCall *call;
	BdmMediaBatch *batch;
} BdmMedia;

/** A new item copied from a poll page's attachment.
 *  Free with bdm_media_free. */
BdmMedia *bdm_media_new(const BdmAttachment *a);

/** Release an item (a running download must be cancelled by its batch first).
 *  Accepts NULL. */
void bdm_media_free(gpointer item);

/** Called once when every item of a batch has ended. */
typedef void (*BdmMediaDone)(gpointer user_data);

/** Check a whole file's content and save it content-addressed: m ends SAVED
 *  (type, size, sha256, path, inline_data if safe) or FAILED with a reason. */
void bdm_media_accept(BdmMedia *m, const guint8 *data, gsize len);

/** Fetch the pending items of items (BdmMedia*, not owned), a few at once, each
 *  within timeout_s; done runs from the main loop (never from this call). */
BdmMediaBatch *bdm_media_fetch(GPtrArray *items, int timeout_s, BdmMediaDone done,
                               gpointer user_data);

/** Stop a batch: downloads cancelled, done never called.
 *  The items stay with their owner, unfinished ones failed. */
void bdm_media_batch_cancel(BdmMediaBatch *batch);

/** The HTML lines (markup-escaped) telling the agent about items; a safe inline
 *  image adds an <img id> whose imgstore id is appended to img_ids (caller unrefs). */
char *bdm_media_html(const GPtrArray *items, GArray *img_ids);

/** A message's HTML: its escaped text, then a line per item (safe images inline,
 *  their ids appended to img_ids); without text, no empty line above the first. */
char *bdm_media_message_html(const char *escaped_text, const GPtrArray *items,
                             GArray *img_ids);

/** Drop this code's references to the inline images of img_ids and free the
 *  array: once written, the conversation holds its own. */
void bdm_media_release_images(GArray *img_ids);

/** Add the member "attachments" (kind, name, type, declared type, size, sha256,
 *  platform id, saved, reason of each item) to the object b is building. */
void bdm_media_detail_add(JsonBuilder *b, const GPtrArray *items);

/** The directory media are saved in, <purple user dir>/branddm/media.
 *  Newly allocated. */
char *bdm_media_dir(void);

#endif /* BRANDDM_MEDIA_H */
