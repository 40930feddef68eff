/*
 * Business hours: opening days and times in one time zone, holidays, and
 * the business-time arithmetic response-time targets are measured in.
 *
 * Every computation walks local calendar days.  A day contributes one
 * interval of Unix time: [open, close) in BDM_COUNT_BUSINESS_HOURS mode or
 * [midnight, next midnight) in BDM_COUNT_BUSINESS_DAYS mode, and nothing when
 * it is a closed weekday or a holiday.  The interval ends are computed with
 * GTimeZone for that very day, so a day with a DST change is 23 or 25 hours
 * long and "09:00" means 09:00 on the wall clock on both sides of the change.
 * Because elapsed() and deadline() walk the same intervals they are exact
 * inverses: deadline(start, elapsed(start, t)) is the earliest instant with
 * the same elapsed time as t.
 */
#include <stdlib.h>
#include <string.h>

#include "branddm/i18n.h"
#include "business_hours.h"

#define MINUTES_PER_DAY (24 * 60)
/* Clamp instants to years 1900..9000 so GDateTime never refuses one. */
#define EARLIEST_INSTANT G_GINT64_CONSTANT(-2208988800)
#define LATEST_INSTANT G_GINT64_CONSTANT(221845392000)
/* A deadline further than this many days away is "never". */
#define MAX_DAYS_SEARCHED (366 * 100)

struct BdmBusinessHours {
	GTimeZone *tz;
	guint open_days;   /* bit (1 << GDateWeekday): Monday is bit 1 */
	int open_minute;   /* minutes after local midnight */
	int close_minute;  /* may be MINUTES_PER_DAY: open until midnight */
	GArray *holidays;  /* sorted guint32 Julian day numbers, local dates */
};

static const char *const day_names[] = {
	NULL, "mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

static const char *const full_day_names[] = {
	NULL, "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday", "sunday"
};

static const char *const known_keys[] = {
	"timezone", "days", "open", "close", "holidays", NULL
};

BdmBusinessHours *bdm_business_hours_new_default(void)
{
	BdmBusinessHours *bh = g_new0(BdmBusinessHours, 1);
	int day;

	bh->tz = g_time_zone_new_local();
	for (day = G_DATE_MONDAY; day <= G_DATE_FRIDAY; day++)
		bh->open_days |= 1u << day;
	bh->open_minute = 9 * 60;
	bh->close_minute = 17 * 60;
	bh->holidays = g_array_new(FALSE, FALSE, sizeof(guint32));
	return bh;
}

void bdm_business_hours_free(BdmBusinessHours *bh)
{
	if (bh == NULL)
		return;
	g_time_zone_unref(bh->tz);
	g_array_unref(bh->holidays);
	g_free(bh);
}

/* ---- parsing ------------------------------------------------------------ */

static gboolean bad_value(GError **error, const char *group, const char *key,
                          const char *value, const char *expected)
{
	g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
	            _("[%s] %s: invalid value “%s” (%s)"), group, key, value, expected);
	return FALSE;
}

static int day_from_name(const char *name)
{
	int day;

	for (day = G_DATE_MONDAY; day <= G_DATE_SUNDAY; day++)
		if (g_ascii_strcasecmp(name, day_names[day]) == 0 ||
		    g_ascii_strcasecmp(name, full_day_names[day]) == 0)
			return day;
	return 0;
}

/* One item of the days list: "mon" or a range "mon-fri" (may wrap, "sat-mon"). */
static gboolean parse_day_item(const char *item, guint *mask)
{
	char **ends = g_strsplit(item, "-", 2);
	int first = day_from_name(g_strstrip(ends[0]));
	int last = ends[1] != NULL ? day_from_name(g_strstrip(ends[1])) : first;
	int day;

	g_strfreev(ends);
	if (first == 0 || last == 0)
		return FALSE;
	for (day = first;; day = day % 7 + 1) {
		*mask |= 1u << day;
		if (day == last)
			break;
	}
	return TRUE;
}

static gboolean parse_days(GKeyFile *kf, const char *group, guint *mask, GError **error)
{
	GError *local = NULL;
	char **items = g_key_file_get_string_list(kf, group, "days", NULL, &local);
	gboolean ok = TRUE;
	char **p;

	if (items == NULL) {
		if (g_error_matches(local, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND)) {
			g_error_free(local);
			return TRUE;
		}
		g_propagate_error(error, local);
		return FALSE;
	}
	*mask = 0;
	for (p = items; ok && *p != NULL; p++) {
		g_strstrip(*p);
		if (**p == '\0')
			continue;
		if (!parse_day_item(*p, mask))
			ok = bad_value(error, group, "days", *p,
			               _("expected day names such as mon, tue, wed, thu, fri, sat, sun "
			                 "or a range like mon-fri"));
	}
	if (ok && *mask == 0)
		ok = bad_value(error, group, "days", "",
		               _("at least one day must be open"));
	g_strfreev(items);
	return ok;
}

/* "HH:MM" into minutes after midnight; "24:00" only when allow_midnight_end. */
static gboolean parse_clock(const char *text, gboolean allow_midnight_end, int *minutes)
{
	int hours = 0, mins = 0, digits = 0;
	const char *p = text;

	while (g_ascii_isdigit(*p) && digits < 2) {
		hours = hours * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || *p++ != ':')
		return FALSE;
	if (!g_ascii_isdigit(p[0]) || !g_ascii_isdigit(p[1]) || p[2] != '\0')
		return FALSE;
	mins = (p[0] - '0') * 10 + (p[1] - '0');
	if (mins > 59 || hours > 24)
		return FALSE;
	if (hours == 24 && (mins != 0 || !allow_midnight_end))
		return FALSE;
	*minutes = hours * 60 + mins;
	return TRUE;
}

static gboolean parse_clock_key(GKeyFile *kf, const char *group, const char *key,
                                gboolean allow_midnight_end, int *minutes, GError **error)
{
	char *value = g_key_file_get_string(kf, group, key, NULL);
	gboolean ok = TRUE;

	if (value == NULL)
		return TRUE;
	g_strstrip(value);
	if (!parse_clock(value, allow_midnight_end, minutes))
		ok = bad_value(error, group, key, value,
		               allow_midnight_end ? _("expected a time from 00:00 to 24:00")
		                                  : _("expected a time from 00:00 to 23:59"));
	g_free(value);
	return ok;
}

static gint compare_julian(gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

	return x < y ? -1 : x > y;
}

/* A holiday is a strict ISO date "YYYY-MM-DD": digits where digits belong. */
static gboolean parse_iso_date(const char *text, GDate *date)
{
	static const char pattern[] = "dddd-dd-dd";
	int year, month, day;
	gsize i;

	if (strlen(text) != sizeof(pattern) - 1)
		return FALSE;
	for (i = 0; i < sizeof(pattern) - 1; i++)
		if (pattern[i] == 'd' ? !g_ascii_isdigit(text[i]) : text[i] != pattern[i])
			return FALSE;
	year = atoi(text);
	month = atoi(text + 5);
	day = atoi(text + 8);
	if (!g_date_valid_dmy(day, month, year))
		return FALSE;
	g_date_clear(date, 1);
	g_date_set_dmy(date, day, month, year);
	return TRUE;
}

static gboolean parse_holidays(GKeyFile *kf, const char *group, GArray *holidays,
                               GError **error)
{
	char **items = g_key_file_get_string_list(kf, group, "holidays", NULL, NULL);
	gboolean ok = TRUE;
	char **p;

	if (items == NULL)
		return TRUE;
	for (p = items; ok && *p != NULL; p++) {
		GDate date;
		guint32 julian;

		g_strstrip(*p);
		if (**p == '\0')
			continue;
		if (!parse_iso_date(*p, &date)) {
			ok = bad_value(error, group, "holidays", *p,
			               _("expected dates like 2026-12-25"));
			break;
		}
		julian = g_date_get_julian(&date);
		g_array_append_val(holidays, julian);
	}
	g_array_sort(holidays, compare_julian);
	g_strfreev(items);
	return ok;
}

static gboolean parse_timezone(GKeyFile *kf, const char *group, GTimeZone **tz,
                               GError **error)
{
	char *value = g_key_file_get_string(kf, group, "timezone", NULL);
	GTimeZone *zone;

	if (value == NULL)
		return TRUE;
	g_strstrip(value);
	if (*value == '\0') {
		g_free(value);
		return TRUE;
	}
	zone = g_time_zone_new_identifier(value);
	if (zone == NULL) {
		bad_value(error, group, "timezone", value,
		          _("expected a time-zone name such as Europe/Berlin"));
		g_free(value);
		return FALSE;
	}
	g_time_zone_unref(*tz);
	*tz = zone;
	g_free(value);
	return TRUE;
}

/* A misspelt key ("holiday=") would otherwise be ignored without a word. */
static gboolean check_known_keys(GKeyFile *kf, const char *group, GError **error)
{
	char **keys = g_key_file_get_keys(kf, group, NULL, NULL);
	gboolean ok = TRUE;
	char **k;

	for (k = keys; keys != NULL && ok && *k != NULL; k++) {
		if (!g_strv_contains(known_keys, *k)) {
			/* Any bytes can be a key name; the message must stay text. */
			char *safe_key = g_utf8_make_valid(*k, -1);
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			            _("[%s] unknown key “%s” (known keys: timezone, days, open, "
			              "close, holidays)"), group, safe_key);
			g_free(safe_key);
			ok = FALSE;
		}
	}
	g_strfreev(keys);
	return ok;
}

BdmBusinessHours *bdm_business_hours_from_keyfile(GKeyFile *kf, const char *group,
                                                  GError **error)
{
	BdmBusinessHours *bh;

	g_return_val_if_fail(kf != NULL && group != NULL, NULL);

	bh = bdm_business_hours_new_default();
	if (!g_key_file_has_group(kf, group))
		return bh;
	if (!check_known_keys(kf, group, error) ||
	    !parse_timezone(kf, group, &bh->tz, error) ||
	    !parse_days(kf, group, &bh->open_days, error) ||
	    !parse_clock_key(kf, group, "open", FALSE, &bh->open_minute, error) ||
	    !parse_clock_key(kf, group, "close", TRUE, &bh->close_minute, error) ||
	    !parse_holidays(kf, group, bh->holidays, error)) {
		bdm_business_hours_free(bh);
		return NULL;
	}
	if (bh->close_minute <= bh->open_minute) {
		/* Overnight shifts would need a day to own time of the next one. */
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            _("[%s] close: the closing time must be later than the opening "
		              "time (overnight opening hours are not supported)"), group);
		bdm_business_hours_free(bh);
		return NULL;
	}
	return bh;
}

/* ---- calendar arithmetic ------------------------------------------------- */

static gint64 clamp_instant(gint64 t)
{
	return CLAMP(t, EARLIEST_INSTANT, LATEST_INSTANT);
}

static void local_date(const BdmBusinessHours *bh, gint64 t, GDate *date)
{
	GDateTime *utc = g_date_time_new_from_unix_utc(clamp_instant(t));
	GDateTime *local = g_date_time_to_timezone(utc, bh->tz);

	g_date_clear(date, 1);
	g_date_set_dmy(date, g_date_time_get_day_of_month(local),
	               g_date_time_get_month(local), g_date_time_get_year(local));
	g_date_time_unref(local);
	g_date_time_unref(utc);
}

/* Unix time of a wall-clock minute of a local day; minute 1440 is the next
 * midnight.  A wall time skipped by DST is moved forward by GTimeZone. */
static gint64 local_instant(const BdmBusinessHours *bh, const GDate *date, int minute)
{
	GDate day = *date;
	GDateTime *dt;
	gint64 t;

	if (minute >= MINUTES_PER_DAY) {
		g_date_add_days(&day, 1);
		minute -= MINUTES_PER_DAY;
	}
	dt = g_date_time_new(bh->tz, g_date_get_year(&day), g_date_get_month(&day),
	                     g_date_get_day(&day), minute / 60, minute % 60, 0);
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}

static gboolean is_holiday(const BdmBusinessHours *bh, const GDate *date)
{
	guint32 julian = g_date_get_julian(date);
	guint index;

	return g_array_binary_search(bh->holidays, &julian, compare_julian, &index);
}

/* The business interval [*start, *end) a local day contributes; FALSE when
 * the day contributes nothing. */
static gboolean day_interval(const BdmBusinessHours *bh, BdmCountMode mode,
                             const GDate *date, gint64 *start, gint64 *end)
{
	if (!(bh->open_days & (1u << g_date_get_weekday(date))) || is_holiday(bh, date))
		return FALSE;
	if (mode == BDM_COUNT_BUSINESS_DAYS) {
		*start = local_instant(bh, date, 0);
		*end = local_instant(bh, date, MINUTES_PER_DAY);
	} else {
		*start = local_instant(bh, date, bh->open_minute);
		*end = local_instant(bh, date, bh->close_minute);
	}
	return *end > *start;
}

gboolean bdm_business_hours_is_open(const BdmBusinessHours *bh, gint64 t)
{
	GDate date;
	gint64 start, end;

	g_return_val_if_fail(bh != NULL, FALSE);

	local_date(bh, t, &date);
	return day_interval(bh, BDM_COUNT_BUSINESS_HOURS, &date, &start, &end) &&
	       t >= start && t < end;
}

gint64 bdm_business_elapsed(const BdmBusinessHours *bh, BdmCountMode mode,
                            gint64 from, gint64 to)
{
	GDate date, last;
	gint64 total = 0;

	g_return_val_if_fail(bh != NULL, 0);

	from = clamp_instant(from);
	to = clamp_instant(to);
	if (to <= from)
		return 0;
	local_date(bh, from, &date);
	local_date(bh, to, &last);
	for (; g_date_compare(&date, &last) <= 0; g_date_add_days(&date, 1)) {
		gint64 start, end;

		if (!day_interval(bh, mode, &date, &start, &end))
			continue;
		start = MAX(start, from);
		end = MIN(end, to);
		if (end > start)
			total += end - start;
	}
	return total;
}

gint64 bdm_business_deadline(const BdmBusinessHours *bh, BdmCountMode mode,
                             gint64 start, gint64 amount)
{
	GDate date;
	gint64 remaining = amount;
	int day;

	g_return_val_if_fail(bh != NULL, G_MAXINT64);

	start = clamp_instant(start);
	if (amount <= 0)
		return start;
	local_date(bh, start, &date);
	for (day = 0; day < MAX_DAYS_SEARCHED; day++, g_date_add_days(&date, 1)) {
		gint64 open, close;

		if (!day_interval(bh, mode, &date, &open, &close))
			continue;
		open = MAX(open, start);
		if (close <= open)
			continue;
		if (close - open >= remaining)
			return open + remaining;
		remaining -= close - open;
	}
	return G_MAXINT64;
}
