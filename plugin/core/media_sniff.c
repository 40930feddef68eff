/*
 * What a file is, from its content, and a name safe to show: shared by the
 * receive side (plugin/host/media.c) and the attachment rules of the
 * policy (policy_attachments.c).  Plain C + GLib.
 *
 * A file's name and declared type are whatever the sender wanted them to
 * be; only its first bytes are evidence, so every decision about a file
 * starts here.
 */
#include <string.h>

#include "media_sniff.h"

/* Long enough for "annual-report-2026-final-v2.pdf", short enough for a line. */
#define SAFE_NAME_MAX 80

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
