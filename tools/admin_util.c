/*
 * Shared helpers of branddm-admin: command line, time arguments, progress
 * and escaped, buffered output.
 */
#include <inttypes.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gio/gio.h>

#include "branddm/i18n.h"
#include "admin_util.h"

/* Large enough that export spends its time formatting, not in write(2). */
#define OUT_BUFFER_SIZE (256 * 1024)
/* Progress lines this many records apart. */
#define PROGRESS_STEP 50000

/* ---- command line ------------------------------------------------------- */

void bdm_admin_fail(const char *format, ...)
{
	va_list args;

	fprintf(stderr, "%s: ", g_get_prgname());
	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
	fputc('\n', stderr);
}

int bdm_admin_parse(GOptionContext *ctx, int *argc, char ***argv, int usage_status)
{
	GError *error = NULL;

	g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
	if (!g_option_context_parse(ctx, argc, argv, &error)) {
		bdm_admin_fail("%s", error->message);
		fprintf(stderr, _("Try \"%s --help\".\n"), g_get_prgname());
		g_error_free(error);
		return usage_status;
	}
	if (*argc > 1) {
		bdm_admin_fail(_("unexpected argument \"%s\""), (*argv)[1]);
		fprintf(stderr, _("Try \"%s --help\".\n"), g_get_prgname());
		return usage_status;
	}
	return -1;
}

char **bdm_admin_db_list(char **given)
{
	char **list;

	if (given && given[0])
		return g_strdupv(given);
	list = g_new0(char *, 2);
	list[0] = g_build_filename(g_get_home_dir(), ".purple", "branddm", "log.sqlite", NULL);
	return list;
}

/* What the log stores (the protocol module's name) and what people call it. */
static const struct {
	const char *alias;
	const char *stored;
} platform_names[] = {
	{ "facebook", "facebook" }, { "messenger", "facebook" }, { "fb", "facebook" },
	{ "instagram", "instagram" }, { "ig", "instagram" },
	{ "x", "x" }, { "twitter", "x" },
};

const char *bdm_admin_platform_name(const char *given)
{
	gsize i;

	for (i = 0; given && i < G_N_ELEMENTS(platform_names); i++)
		if (g_ascii_strcasecmp(given, platform_names[i].alias) == 0)
			return platform_names[i].stored;
	return NULL;
}

gboolean bdm_admin_resolve_platform(char **platform)
{
	const char *stored;

	if (*platform == NULL)
		return TRUE;
	stored = bdm_admin_platform_name(*platform);
	if (stored == NULL) {
		bdm_admin_fail(_("unknown platform \"%s\": use facebook (also messenger, fb), "
		                 "instagram (ig) or x (twitter)"), *platform);
		return FALSE;
	}
	g_free(*platform);
	*platform = g_strdup(stored);
	return TRUE;
}

static gboolean all_digits(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return FALSE;
	for (; *s; s++)
		if (!g_ascii_isdigit(*s))
			return FALSE;
	return TRUE;
}

gboolean bdm_admin_parse_time(const char *text, gint64 *out, GError **error)
{
	GTimeZone *utc;
	GDateTime *dt;
	char *iso;

	if (all_digits(text)) {
		*out = g_ascii_strtoll(text, NULL, 10);
		return TRUE;
	}
	/* A bare date means its first second, in UTC. */
	if (strlen(text) == 10 && text[4] == '-' && text[7] == '-')
		iso = g_strconcat(text, "T00:00:00Z", NULL);
	else
		iso = g_strdup(text);
	utc = g_time_zone_new_utc();
	dt = g_date_time_new_from_iso8601(iso, utc);
	g_time_zone_unref(utc);
	g_free(iso);
	if (!dt) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            _("\"%s\" is not a time: use Unix seconds or ISO 8601, "
		              "e.g. 2026-11-21 or 2026-11-21T10:00:00Z"), text);
		return FALSE;
	}
	*out = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return TRUE;
}

/* ---- progress ------------------------------------------------------------- */

void bdm_progress_init(BdmProgress *p, const char *label, gboolean forced)
{
	p->enabled = forced || isatty(STDERR_FILENO);
	p->label = label;
	p->next = PROGRESS_STEP;
}

void bdm_progress_tick(BdmProgress *p, gint64 done)
{
	if (!p->enabled || done < p->next)
		return;
	/* The carriage return redraws the line; it is not part of the message. */
	fputc('\r', stderr);
	fprintf(stderr, _("%s: %" PRId64 " records done"), p->label, done);
	fflush(stderr);
	p->next = done + PROGRESS_STEP;
}

void bdm_progress_end(BdmProgress *p, gint64 done)
{
	if (!p->enabled)
		return;
	/* The carriage return redraws the line; it is not part of the message. */
	fputc('\r', stderr);
	fprintf(stderr, _("%s: %" PRId64 " records done"), p->label, done);
	fputc('\n', stderr);
}

/* ---- buffered output ------------------------------------------------------ */

void bdm_out_init(BdmOut *out, FILE *fp)
{
	out->fp = fp;
	out->cap = OUT_BUFFER_SIZE;
	out->buf = g_malloc(out->cap);
	out->len = 0;
	out->error = 0;
}

static void raw_write(BdmOut *out, const char *data, gsize n)
{
	if (out->error || n == 0)
		return;
	errno = 0;
	if (fwrite(data, 1, n, out->fp) != n)
		out->error = errno ? errno : EIO;
}

static void flush(BdmOut *out)
{
	raw_write(out, out->buf, out->len);
	out->len = 0;
}

gboolean bdm_out_close(BdmOut *out, const char *what, GError **error)
{
	flush(out);
	if (!out->error && fflush(out->fp) != 0)
		out->error = errno ? errno : EIO;
	g_free(out->buf);
	out->buf = NULL;
	if (out->error) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(out->error),
		            _("cannot write %s: %s"), what, g_strerror(out->error));
		return FALSE;
	}
	return TRUE;
}

void bdm_out_write(BdmOut *out, const char *data, gsize n)
{
	if (n > out->cap - out->len) {
		flush(out);
		if (n >= out->cap) {
			raw_write(out, data, n);
			return;
		}
	}
	memcpy(out->buf + out->len, data, n);
	out->len += n;
}

static inline void out_char(BdmOut *out, char c)
{
	if (out->len == out->cap)
		flush(out);
	out->buf[out->len++] = c;
}

void bdm_out_str(BdmOut *out, const char *s)
{
	if (s)
		bdm_out_write(out, s, strlen(s));
}

void bdm_out_printf(BdmOut *out, const char *format, ...)
{
	va_list args;
	char *s;

	va_start(args, format);
	s = g_strdup_vprintf(format, args);
	va_end(args);
	bdm_out_str(out, s);
	g_free(s);
}

void bdm_out_int(BdmOut *out, gint64 v)
{
	char buf[24];
	char *p = buf + sizeof buf;
	guint64 u = v < 0 ? -(guint64)v : (guint64)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	bdm_out_write(out, p, buf + sizeof buf - p);
}

static void json_escaped(BdmOut *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s, *p;

	out_char(out, '"');
	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		char esc[6] = { '\\', 'u', '0', '0', 0, 0 };

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0xe2)
			continue;
		/* U+2028 and U+2029 are valid in JSON strings, but many line
		 * readers (JavaScript, Python's splitlines) break lines there. */
		if (c == 0xe2) {
			if ((unsigned char)p[1] != 0x80 || ((unsigned char)p[2] & 0xfe) != 0xa8)
				continue;
			bdm_out_write(out, run, p - run);
			bdm_out_str(out, (unsigned char)p[2] == 0xa8 ? "\\u2028" : "\\u2029");
			p += 2;
			run = p + 1;
			continue;
		}
		bdm_out_write(out, run, p - run);
		run = p + 1;
		switch (c) {
		case '"': bdm_out_write(out, "\\\"", 2); break;
		case '\\': bdm_out_write(out, "\\\\", 2); break;
		case '\n': bdm_out_write(out, "\\n", 2); break;
		case '\r': bdm_out_write(out, "\\r", 2); break;
		case '\t': bdm_out_write(out, "\\t", 2); break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			bdm_out_write(out, esc, 6);
		}
	}
	bdm_out_write(out, run, p - run);
	out_char(out, '"');
}

void bdm_out_json_string(BdmOut *out, const char *s)
{
	char *valid;

	if (!s) {
		bdm_out_write(out, "null", 4);
		return;
	}
	if (g_utf8_validate(s, -1, NULL)) {
		json_escaped(out, s);
		return;
	}
	valid = g_utf8_make_valid(s, -1);
	json_escaped(out, valid);
	g_free(valid);
}

void bdm_out_csv_field(BdmOut *out, const char *s, gboolean guard)
{
	gsize len;
	gboolean formula, quote;
	const char *p;

	if (!s || !*s)
		return;
	len = strlen(s);
	formula = guard && strchr("=+-@\t\r", s[0]) != NULL;
	quote = formula || strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' || s[len - 1] == ' ';
	if (!quote) {
		bdm_out_write(out, s, len);
		return;
	}
	out_char(out, '"');
	if (formula)
		out_char(out, '\'');
	for (p = s; *p; p++) {
		if (*p == '"')
			out_char(out, '"');
		out_char(out, *p);
	}
	out_char(out, '"');
}

void bdm_out_html(BdmOut *out, const char *s)
{
	const char *run = s, *p;

	if (!s)
		return;
	for (p = s; *p; p++) {
		const char *esc;

		switch (*p) {
		case '&': esc = "&amp;"; break;
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '"': esc = "&quot;"; break;
		case '\'': esc = "&#39;"; break;
		default: continue;
		}
		bdm_out_write(out, run, p - run);
		bdm_out_str(out, esc);
		run = p + 1;
	}
	bdm_out_write(out, run, p - run);
}

static void two_digits(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

void bdm_out_iso_time(BdmOut *out, gint64 t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[20];

	if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		bdm_out_int(out, t);
		return;
	}
	two_digits(buf, (tm.tm_year + 1900) / 100);
	two_digits(buf + 2, (tm.tm_year + 1900) % 100);
	buf[4] = '-';
	two_digits(buf + 5, tm.tm_mon + 1);
	buf[7] = '-';
	two_digits(buf + 8, tm.tm_mday);
	buf[10] = 'T';
	two_digits(buf + 11, tm.tm_hour);
	buf[13] = ':';
	two_digits(buf + 14, tm.tm_min);
	buf[16] = ':';
	two_digits(buf + 17, tm.tm_sec);
	bdm_out_write(out, buf, 19);
	out_char(out, 'Z');
}

/* ---- records ---------------------------------------------------------------- */

const char *bdm_log_direction_name(int direction)
{
	return direction == BDM_DIR_IN ? "in" : direction == BDM_DIR_OUT ? "out" : NULL;
}

/* Detail is stored as a JSON object; a damaged one is written as a string
 * so that the output still parses. */
static gboolean detail_is_object(JsonParser *parser, const char *detail)
{
	JsonNode *root;

	if (!detail || detail[0] != '{')
		return FALSE;
	if (!g_utf8_validate(detail, -1, NULL) ||
	    !json_parser_load_from_data(parser, detail, -1, NULL))
		return FALSE;
	root = json_parser_get_root(parser);
	return root && JSON_NODE_HOLDS_OBJECT(root);
}

static void json_member(BdmOut *out, const char *name, const char *value)
{
	bdm_out_str(out, name);
	bdm_out_json_string(out, value);
}

void bdm_out_record_members(BdmOut *out, const BdmLogRecord *r, JsonParser *parser)
{
	bdm_out_str(out, "\"id\":");
	bdm_out_int(out, r->id);
	bdm_out_str(out, ",\"time\":\"");
	bdm_out_iso_time(out, r->logged_time);
	bdm_out_str(out, "\",\"logged_time\":");
	bdm_out_int(out, r->logged_time);
	json_member(out, ",\"kind\":", r->kind);
	json_member(out, ",\"platform\":", r->platform);
	json_member(out, ",\"account\":", r->account);
	json_member(out, ",\"conversation_id\":", r->conversation_id);
	json_member(out, ",\"customer_id\":", r->customer_id);
	json_member(out, ",\"customer_name\":", r->customer_name);
	json_member(out, ",\"direction\":", bdm_log_direction_name(r->direction));
	json_member(out, ",\"text\":", r->text);
	json_member(out, ",\"platform_message_id\":", r->platform_message_id);
	bdm_out_str(out, ",\"platform_time\":");
	bdm_out_int(out, r->platform_time);
	bdm_out_str(out, r->automated ? ",\"automated\":true" : ",\"automated\":false");
	json_member(out, ",\"template\":", r->template_name);
	bdm_out_str(out, ",\"detail\":");
	if (detail_is_object(parser, r->detail_json))
		bdm_out_str(out, r->detail_json);
	else
		bdm_out_json_string(out, r->detail_json);
	bdm_out_str(out, r->erased ? ",\"erased\":true" : ",\"erased\":false");
}
