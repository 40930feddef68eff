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
#define SAFE_NAME_MAX 80
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

char *bdm_media_safe_name(const char *name)
{
	const char *base;
	char *valid, *p;
	GString *out;

	if (name == NULL)
		return NULL;
	/* Only the last path part: "../../.bashrc" names a file, not a place. */
	base = strrchr(name, '/');
	base = base ? base + 1 : name;
	if (strrchr(base, '\\'))
		base = strrchr(base, '\\') + 1;
	valid = g_utf8_make_valid(base, -1);
	out = g_string_new(NULL);
	for (p = valid; *p && g_utf8_strlen(out->str, -1) < SAFE_NAME_MAX; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		/* Controls and bidi overrides could disguise "exe.png" as "png.exe". */
		if (g_unichar_iscntrl(c) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
			continue;
		g_string_append_unichar(out, c);
	}
	g_free(valid);
	g_strstrip(out->str);
	if (*out->str == '\0' || strcmp(out->str, ".") == 0 || strcmp(out->str, "..") == 0) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

static guint32 be32(const guint8 *p)
{
	return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

/* A JPEG's size is in its first start-of-frame segment; walk the segments. */
static void jpeg_size(const guint8 *d, gsize len, int *w, int *h)
{
	gsize i = 2;

	while (i + 9 < len) {
		guint8 marker;
		gsize seg;

		if (d[i] != 0xff)
			return;
		marker = d[i + 1];
		if (marker == 0xff) {
			i++;
			continue;
		}
		seg = ((gsize)d[i + 2] << 8) | d[i + 3];
		if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 &&
		    marker != 0xcc) {
			*h = (d[i + 5] << 8) | d[i + 6];
			*w = (d[i + 7] << 8) | d[i + 8];
			return;
		}
		if (seg < 2)
			return;
		i += 2 + seg;
	}
}

const char *bdm_media_sniff(const guint8 *d, gsize len, gboolean *is_program, int *w, int *h)
{
	*is_program = FALSE;
	*w = *h = 0;
	if (len >= 24 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(d + 12, "IHDR", 4) == 0) {
		guint32 pw = be32(d + 16), ph = be32(d + 20);

		*w = pw > G_MAXINT ? G_MAXINT : (int)pw;
		*h = ph > G_MAXINT ? G_MAXINT : (int)ph;
		return "image/png";
	}
	if (len >= 4 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff) {
		jpeg_size(d, len, w, h);
		return "image/jpeg";
	}
	if (len >= 10 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0)) {
		*w = d[6] | (d[7] << 8);
		*h = d[8] | (d[9] << 8);
		return "image/gif";
	}
	if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (len >= 5 && memcmp(d, "%PDF-", 5) == 0)
		return "application/pdf";
	if (len >= 12 && memcmp(d + 4, "ftyp", 4) == 0)
		return memcmp(d + 8, "M4A", 3) == 0 ? "audio/mp4" : "video/mp4";
	if (len >= 4 && memcmp(d, "OggS", 4) == 0)
		return "audio/ogg";
	if (len >= 3 && (memcmp(d, "ID3", 3) == 0 || (d[0] == 0xff && (d[1] & 0xe0) == 0xe0)))
		return "audio/mpeg";
	if (len >= 4 && memcmp(d, "\x1a\x45\xdf\xa3", 4) == 0)
		return "video/webm";
	/* Windows, ELF, Mach-O and scripts: nothing an agent should open. */
	if ((len >= 2 && memcmp(d, "MZ", 2) == 0) || (len >= 4 && memcmp(d, "\x7f" "ELF", 4) == 0) ||
	    (len >= 4 && (be32(d) == 0xfeedface || be32(d) == 0xfeedfacf ||
	                  be32(d) == 0xcefaedfe || be32(d) == 0xcffaedfe || be32(d) == 0xcafebabe)) ||
	    (len >= 2 && memcmp(d, "#!", 2) == 0)) {
		*is_program = TRUE;
		return "application/x-executable";
	}
	return "application/octet-stream";
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

/* Check a complete body and save it. */
static void accept_body(BdmMedia *m, const guint8 *data, gsize len)
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
		accept_body(m, (const guint8 *)r->response.body, r->response.body_len);
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
