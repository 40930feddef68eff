/*
 * Customers' attachments: fetch, check, save.  See media.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <debug.h>
#include <util.h>

#include "branddm/i18n.h"
#include "media.h"

#define DEBUG_CAT "branddm-media"
/* Downloads at once: each may hold 25 MB in memory until it is checked. */
#define MAX_RUNNING 4

struct BdmMediaBatch {
	GPtrArray *items;          /* BdmMedia*, not owned */
	guint next;                /* index in items of the next one to start */
	guint running;
	int timeout_s;
	guint idle;                /* the done callback, from the loop */
	BdmMediaDone done;
	gpointer user_data;
};

BdmMedia *bdm_media_new(const BdmAttachment *a)
{
	BdmMedia *m = g_new0(BdmMedia, 1);

	m->message_id = g_strdup(a->message_id);
	m->kind = a->kind;
	m->url = g_strdup(a->url);
	m->name = bdm_media_safe_name(a->name);
	m->declared_type = a->mime_type ? g_utf8_make_valid(a->mime_type, -1) : NULL;
	m->declared_size = a->size;
	m->platform_id = g_strdup(a->platform_id);
	m->flags = a->flags;
	return m;
}

void bdm_media_free(gpointer item)
{
	BdmMedia *m = item;

	if (m == NULL)
		return;
	g_free(m->message_id);
	g_free(m->url);
	g_free(m->name);
	g_free(m->declared_type);
	g_free(m->platform_id);
	g_free(m->reason);
	g_free(m->sha256);
	g_free(m->path);
	if (m->inline_data)
		g_bytes_unref(m->inline_data);
	g_free(m);
}

static const char *extension_for(const char *type)
{
	static const char *const map[][2] = {
		{ "image/png", ".png" }, { "image/jpeg", ".jpg" }, { "image/gif", ".gif" },
		{ "image/webp", ".webp" }, { "application/pdf", ".pdf" }, { "video/mp4", ".mp4" },
		{ "audio/mp4", ".m4a" }, { "audio/ogg", ".ogg" }, { "audio/mpeg", ".mp3" },
		{ "video/webm", ".webm" }
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(map); i++)
		if (strcmp(map[i][0], type) == 0)
			return map[i][1];
	return ".bin";
}

char *bdm_media_dir(void)
{
	return g_build_filename(purple_user_dir(), "branddm", "media", NULL);
}

/* Write data to path through a private temporary file, so a reader never
 * sees half a file and nobody else can read it; an existing file (same
 * content, by its name) is kept. */
static gboolean save_private(const char *path, const guint8 *data, gsize len, GError **error)
{
	char *tmp;
	gsize done = 0;
	int fd, saved_errno = 0;

	if (g_file_test(path, G_FILE_TEST_EXISTS))
		return TRUE;
	tmp = g_strdup_printf("%s.part%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		saved_errno = errno;
		goto out;
	}
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			saved_errno = n < 0 ? errno : EIO;
			break;
		}
		done += (gsize)n;
	}
	if (close(fd) != 0 && saved_errno == 0)
		saved_errno = errno;
	if (saved_errno == 0 && rename(tmp, path) != 0)
		saved_errno = errno;
	if (saved_errno != 0)
		g_unlink(tmp);
out:
	g_free(tmp);
	if (saved_errno != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved_errno), "%s",
		            g_strerror(saved_errno));
		return FALSE;
	}
	return TRUE;
}

static void fail(BdmMedia *m, char *reason)
{
	m->state = BDM_MEDIA_FAILED;
	g_free(m->reason);
	m->reason = reason;
}

void bdm_media_accept(BdmMedia *m, const guint8 *data, gsize len)
{
	gboolean program;
	GError *error = NULL;
	char *dir, *file;

	if (len == 0) {
		fail(m, g_strdup(_("the file was empty")));
		return;
	}
	m->type = bdm_media_sniff(data, len, &program, &m->width, &m->height);
	m->size = len;
	if (program) {
		fail(m, g_strdup_printf(_("its content is a program, not the %s it claims to be; "
		                          "it was not saved"),
		                        m->declared_type ? m->declared_type : _("file")));
		return;
	}
	m->sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
	dir = bdm_media_dir();
	if (g_mkdir_with_parents(dir, 0700) != 0 || g_chmod(dir, 0700) != 0) {
		fail(m, g_strdup_printf(_("it could not be saved in %s: %s"), dir, g_strerror(errno)));
		g_free(dir);
		return;
	}
	file = g_strconcat(m->sha256, extension_for(m->type), NULL);
	m->path = g_build_filename(dir, file, NULL);
	g_free(file);
	g_free(dir);
	if (!save_private(m->path, data, len, &error)) {
		fail(m, g_strdup_printf(_("it could not be saved in %s: %s"), m->path, error->message));
		g_error_free(error);
		return;
	}
	m->state = BDM_MEDIA_SAVED;
	if ((strcmp(m->type, "image/png") == 0 || strcmp(m->type, "image/jpeg") == 0 ||
	     strcmp(m->type, "image/gif") == 0) && m->width > 0 && m->height > 0 &&
	    m->width <= BDM_MEDIA_MAX_SIDE && m->height <= BDM_MEDIA_MAX_SIDE &&
	    (long)m->width * (long)m->height <= BDM_MEDIA_MAX_PIXELS)
		m->inline_data = g_bytes_new(data, len);
	else if (g_str_has_prefix(m->type, "image/") && m->width > 0 && m->height > 0)
		m->reason = g_strdup_printf(_("its picture size (%d × %d pixels) is too large to "
		                              "show safely; it was saved but not shown"),
		                            m->width, m->height);
}

/* Plain words for a download that did not bring the file. */
static char *failure_reason(const BdmHttpResult *r)
{
	long status = r->response.status;

	if (r->outcome == BDM_HTTP_TOO_LARGE)
		return g_strdup_printf(_("it is larger than the %u MB limit"),
		                       BDM_MEDIA_MAX_BYTES / (1024u * 1024u));
	if (r->timed_out)
		return g_strdup(_("the download took too long and was stopped"));
	if (r->partial)
		return g_strdup(_("the download was cut short"));
	if (r->outcome == BDM_HTTP_REFUSED)
		return g_strdup(_("its link is not a secure (https) address"));
	if (r->outcome != BDM_HTTP_OK)
		return g_strdup_printf(_("the download failed: %s"), r->error ? r->error : "?");
	if (status >= 300 && status < 400)
		return g_strdup(_("the server sent it to another address, which BrandDM does not "
		                  "follow"));
	if (status == 401 || status == 403 || status == 404 || status == 410)
		return g_strdup_printf(_("the link has expired or was refused (HTTP %ld)"), status);
	return g_strdup_printf(_("the server answered HTTP %ld"), status);
}

static gboolean batch_done_cb(gpointer data)
{
	BdmMediaBatch *batch = data;

	batch->idle = 0;
	batch->done(batch->user_data);
	g_ptr_array_free(batch->items, TRUE);
	g_free(batch);
	return FALSE;
}

static void start_more(BdmMediaBatch *batch);

static void item_ended(BdmMedia *m)
{
	BdmMediaBatch *batch = m->batch;

	m->call = NULL;
	m->batch = NULL;
	batch->running--;
	start_more(batch);
}

static void on_download(const BdmHttpResult *r, gpointer data)
{
	BdmMedia *m = data;

	if (r->outcome == BDM_HTTP_OK && r->response.status == 200)
		bdm_media_accept(m, (const guint8 *)r->response.body, r->response.body_len);
	else
		fail(m, failure_reason(r));
	if (m->state == BDM_MEDIA_FAILED)
		purple_debug_warning(DEBUG_CAT, "attachment of %s not saved: %s\n", m->message_id,
		                     m->reason);
	item_ended(m);
}

/* Settle what needs no download at once; start downloads up to MAX_RUNNING;
 * once nothing runs and nothing is left, call done from the loop. */
static void start_more(BdmMediaBatch *batch)
{
	while (batch->running < MAX_RUNNING && batch->next < batch->items->len) {
		BdmMedia *m = g_ptr_array_index(batch->items, batch->next++);
		BdmRequest req = { 0 };

		if (m->state != BDM_MEDIA_PENDING)
			continue;
		if (m->flags & BDM_ATTACHMENT_NEEDS_USER_AUTH) {
			m->state = BDM_MEDIA_LINK_ONLY;
			m->reason = g_strdup(_("the platform gives this file only to requests signed "
			                       "by the user, which the account's token cannot make; "
			                       "open the link while signed in"));
			continue;
		}
		if (m->url == NULL) {
			fail(m, g_strdup(_("the platform gave no link to it")));
			continue;
		}
		req.method = (char *)"GET";
		req.url = m->url;
		req.timeout_seconds = batch->timeout_s;
		m->batch = batch;
		batch->running++;
		/* No token: the file is on a CDN host, which must never see it. */
		m->call = bdm_http_start_capped(&req, NULL, BDM_MEDIA_MAX_BYTES, on_download, m);
	}
	if (batch->running == 0 && batch->next >= batch->items->len && batch->idle == 0)
		batch->idle = purple_timeout_add(0, batch_done_cb, batch);
}

BdmMediaBatch *bdm_media_fetch(GPtrArray *items, int timeout_s, BdmMediaDone done,
                               gpointer user_data)
{
	BdmMediaBatch *batch = g_new0(BdmMediaBatch, 1);

	batch->items = g_ptr_array_copy(items, NULL, NULL);
	batch->timeout_s = timeout_s > 0 ? timeout_s : BDM_MEDIA_TIMEOUT_DEFAULT_S;
	batch->done = done;
	batch->user_data = user_data;
	start_more(batch);
	return batch;
}

void bdm_media_batch_cancel(BdmMediaBatch *batch)
{
	guint i;

	if (batch == NULL)
		return;
	for (i = 0; i < batch->items->len; i++) {
		BdmMedia *m = g_ptr_array_index(batch->items, i);

		if (m->call) {
			bdm_http_cancel(m->call);
			m->call = NULL;
			m->batch = NULL;
			fail(m, g_strdup(_("the download was stopped")));
		}
	}
	if (batch->idle)
		purple_timeout_remove(batch->idle);
	g_ptr_array_free(batch->items, TRUE);
	g_free(batch);
}
