/*
 * Time values as the platforms write them: see proto_time.h.
 */
#include <stdio.h>
#include <string.h>
#include <math.h>

#include "branddm/i18n.h"
#include "proto_time.h"

static gboolean all_digits(const char *s)
{
	if (!*s)
		return FALSE;
	for (; *s; s++)
		if (!g_ascii_isdigit(*s))
			return FALSE;
	return TRUE;
}

gboolean proto_time_parse(const char *s, long long *out)
{
	GTimeZone *utc;
	GDateTime *dt;
	gint64 t;

	if (!s)
		return FALSE;
	if (all_digits(s)) {
		guint64 v;

		/* The Graph guide that shows Unix seconds writes them as text. */
		if (!g_ascii_string_to_unsigned(s, 10, 0, PROTO_TIME_MAX, &v, NULL))
			return FALSE;
		*out = (long long)v;
		return TRUE;
	}
	/* GLib accepts +hhmm, +hh:mm, +hh and Z; a missing offset means UTC,
	 * which is what every platform here writes when it omits one. */
	utc = g_time_zone_new_utc();
	dt = g_date_time_new_from_iso8601(s, utc);
	g_time_zone_unref(utc);
	if (!dt)
		return FALSE;
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	if (t < 0 || t > PROTO_TIME_MAX)
		return FALSE;
	*out = t;
	return TRUE;
}

gboolean proto_time_from_number(double value, long long *out)
{
	/* isfinite first: comparisons with NaN are always false. */
	if (!isfinite(value) || value < 0 || value > (double)PROTO_TIME_MAX)
		return FALSE;
	*out = (long long)value;
	return TRUE;
}

static int month_index(const char *name)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	for (i = 0; i < 12; i++)
		if (strncmp(months + 3 * i, name, 3) == 0)
			return i + 1;
	return 0;
}

/* IMF-fixdate, the only HTTP date form servers may send today (RFC 9110). */
static long long parse_http_date(const char *value)
{
	char wday[4], mon[4], zone[4];
	int day, year, hour, min, sec, month;
	GDateTime *dt;
	long long t;

	if (sscanf(value, "%3[A-Za-z], %d %3s %d %d:%d:%d %3s", wday, &day, mon, &year,
	           &hour, &min, &sec, zone) != 8)
		return -1;
	month = month_index(mon);
	if (!month || strcmp(zone, "GMT") != 0)
		return -1;
	dt = g_date_time_new_utc(year, month, day, hour, min, sec);
	if (!dt)
		return -1;
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}

long long proto_time_retry_after(const char *value, long long now)
{
	long long when;
	guint64 seconds;
	char *trimmed;
	gboolean ok;

	if (!value)
		return -1;
	trimmed = g_strstrip(g_strdup(value));
	ok = all_digits(trimmed) &&
	     g_ascii_string_to_unsigned(trimmed, 10, 0, G_MAXINT32, &seconds, NULL);
	g_free(trimmed);
	if (ok)
		return (long long)seconds;
	when = parse_http_date(value);
	if (when < 0)
		return -1;
	/* A date is bounded like a number of seconds: "year 5773" is no plan. */
	return when > now ? MIN(when - now, (long long)G_MAXINT32) : 0;
}

char *proto_time_describe_age(long long seconds)
{
	long long n;

	if (seconds < 60)
		return g_strdup(_("just now"));
	if (seconds < 3600) {
		n = seconds / 60;
		return g_strdup_printf(dngettext(GETTEXT_PACKAGE, "%lld minute ago",
		                                 "%lld minutes ago", (unsigned long)n), n);
	}
	/* Hours up to two days: "1 day ago" would hide that 25 h is just
	 * past a 24-hour window. */
	if (seconds < 2 * 86400) {
		n = seconds / 3600;
		return g_strdup_printf(dngettext(GETTEXT_PACKAGE, "%lld hour ago",
		                                 "%lld hours ago", (unsigned long)n), n);
	}
	n = seconds / 86400;
	return g_strdup_printf(dngettext(GETTEXT_PACKAGE, "%lld day ago",
	                                 "%lld days ago", (unsigned long)n), n);
}
