/*
 * multipart/form-data bodies: see proto_multipart.h.
 */
#include <string.h>

#include "proto_multipart.h"

struct ProtoMultipart {
	char *boundary;
	GByteArray *body;
};

static gboolean contains(const unsigned char *data, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	if (data == NULL || n == 0 || len < n)
		return FALSE;
	for (size_t i = 0; i + n <= len; i++) {
		if (data[i] == (unsigned char)needle[0] && memcmp(data + i, needle, n) == 0)
			return TRUE;
	}
	return FALSE;
}

ProtoMultipart *proto_multipart_new(const unsigned char *file, size_t file_len)
{
	ProtoMultipart *mp = g_new0(ProtoMultipart, 1);
	char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, file != NULL ? file : (const guchar *)"",
	                                        file != NULL ? file_len : 0);
	guint n = 0;

	/* A file made to contain its own hash is possible in theory only; a
	 * counter still gets out of it rather than sending a cut file. */
	mp->boundary = g_strdup_printf("BrandDM-%.32s", sum);
	while (contains(file, file_len, mp->boundary)) {
		g_free(mp->boundary);
		mp->boundary = g_strdup_printf("BrandDM-%.32s-%u", sum, ++n);
	}
	g_free(sum);
	mp->body = g_byte_array_new();
	return mp;
}

static void append(ProtoMultipart *mp, const char *s)
{
	g_byte_array_append(mp->body, (const guint8 *)s, (guint)strlen(s));
}

/* The WHATWG form encoding: '"', CR and LF percent-encoded, nothing else. */
static char *quoted_name(const char *name)
{
	GString *out = g_string_new(NULL);

	for (const char *p = name; *p != '\0'; p++) {
		if (*p == '"')
			g_string_append(out, "%22");
		else if (*p == '\r')
			g_string_append(out, "%0D");
		else if (*p == '\n')
			g_string_append(out, "%0A");
		else
			g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

static void part_header(ProtoMultipart *mp, const char *name, const char *filename,
                        const char *content_type)
{
	char *qname = quoted_name(name);

	append(mp, "--");
	append(mp, mp->boundary);
	append(mp, "\r\nContent-Disposition: form-data; name=\"");
	append(mp, qname);
	append(mp, "\"");
	if (filename != NULL) {
		char *qfile = quoted_name(filename);

		append(mp, "; filename=\"");
		append(mp, qfile);
		append(mp, "\"");
		g_free(qfile);
	}
	append(mp, "\r\n");
	if (content_type != NULL) {
		append(mp, "Content-Type: ");
		append(mp, content_type);
		append(mp, "\r\n");
	}
	append(mp, "\r\n");
	g_free(qname);
}

void proto_multipart_add_field(ProtoMultipart *mp, const char *name, const char *value,
                               const char *content_type)
{
	part_header(mp, name, NULL, content_type);
	append(mp, value);
	append(mp, "\r\n");
}

void proto_multipart_add_file(ProtoMultipart *mp, const char *name, const char *filename,
                              const char *content_type, const unsigned char *data, size_t len)
{
	part_header(mp, name, filename != NULL ? filename : "file", content_type);
	if (len > 0)
		g_byte_array_append(mp->body, data, (guint)len);
	append(mp, "\r\n");
}

void proto_multipart_finish(ProtoMultipart *mp, BdmRequest *out)
{
	append(mp, "--");
	append(mp, mp->boundary);
	append(mp, "--\r\n");
	g_free(out->body);
	g_free(out->content_type);
	out->body_len = mp->body->len;
	out->body = (char *)g_byte_array_free(mp->body, FALSE);
	out->content_type = g_strdup_printf("multipart/form-data; boundary=%s", mp->boundary);
	g_free(mp->boundary);
	g_free(mp);
}

void proto_multipart_free(ProtoMultipart *mp)
{
	if (mp == NULL)
		return;
	g_byte_array_free(mp->body, TRUE);
	g_free(mp->boundary);
	g_free(mp);
}
