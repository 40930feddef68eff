/*
 * Business hours: opening times, weekends, holidays, DST, time zones, and
 * the promise that elapsed() and deadline() are inverses of each other.
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "business_hours.h"

/* Unix time of a wall-clock moment in the named zone. */
static gint64 at(const char *zone, int y, int mo, int d, int h, int mi)
{
	GTimeZone *tz = g_time_zone_new_identifier(zone);
	GDateTime *dt;
	gint64 t;

	g_assert_nonnull(tz);
	dt = g_date_time_new(tz, y, mo, d, h, mi, 0);
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	g_time_zone_unref(tz);
	return t;
}

static BdmBusinessHours *load(const char *text)
{
	GKeyFile *kf = g_key_file_new();
	GError *error = NULL;
	BdmBusinessHours *bh;

	g_assert_true(g_key_file_load_from_data(kf, text, -1, G_KEY_FILE_NONE, &error));
	g_assert_no_error(error);
	bh = bdm_business_hours_from_keyfile(kf, "business_hours", &error);
	g_assert_no_error(error);
	g_assert_nonnull(bh);
	g_key_file_free(kf);
	return bh;
}

/* The error message a broken [business_hours] group produces. */
static char *load_error(const char *text)
{
	GKeyFile *kf = g_key_file_new();
	GError *error = NULL;
	BdmBusinessHours *bh;
	char *message;

	g_assert_true(g_key_file_load_from_data(kf, text, -1, G_KEY_FILE_NONE, NULL));
	bh = bdm_business_hours_from_keyfile(kf, "business_hours", &error);
	g_assert_null(bh);
	g_assert_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
	message = g_strdup(error->message);
	g_error_free(error);
	g_key_file_free(kf);
	return message;
}

#define BERLIN "[business_hours]\ntimezone=Europe/Berlin\n" \
	"days=mon;tue;wed;thu;fri\nopen=09:00\nclose=17:00\nholidays=2026-12-25;2026-12-26\n"

static void test_default_hours(void)
{
	/* main() sets TZ=UTC, so "local" is UTC here. */
	BdmBusinessHours *bh = bdm_business_hours_new_default();

	/* 2026-03-02 is a Monday. */
	g_assert_false(bdm_business_hours_is_open(bh, at("UTC", 2026, 3, 2, 8, 59)));
	g_assert_true(bdm_business_hours_is_open(bh, at("UTC", 2026, 3, 2, 9, 0)));
	g_assert_true(bdm_business_hours_is_open(bh, at("UTC", 2026, 3, 2, 16, 59)));
	g_assert_false(bdm_business_hours_is_open(bh, at("UTC", 2026, 3, 2, 17, 0)));
	g_assert_false(bdm_business_hours_is_open(bh, at("UTC", 2026, 3, 7, 12, 0)));
	g_assert_false(bdm_business_hours_is_open(bh, at("UTC", 2026, 3, 8, 12, 0)));
	g_assert_true(bdm_business_hours_is_open(bh, at("UTC", 2026, 3, 6, 12, 0)));
	bdm_business_hours_free(bh);
	bdm_business_hours_free(NULL);
}

static void test_missing_group_is_default(void)
{
	GKeyFile *kf = g_key_file_new();
	GError *error = NULL;
	BdmBusinessHours *bh = bdm_business_hours_from_keyfile(kf, "business_hours", &error);

	g_assert_no_error(error);
	g_assert_nonnull(bh);
	g_assert_cmpint(bdm_business_elapsed(bh, BDM_COUNT_BUSINESS_HOURS,
	                                     at("UTC", 2026, 3, 2, 0, 0),
	                                     at("UTC", 2026, 3, 9, 0, 0)), ==, 5 * 8 * 3600);
	bdm_business_hours_free(bh);
	g_key_file_free(kf);
}

static void test_weekend_hours(void)
{
	BdmBusinessHours *bh = load(BERLIN);
	gint64 friday_16 = at("Europe/Berlin", 2026, 3, 6, 16, 0);
	gint64 monday_10 = at("Europe/Berlin", 2026, 3, 9, 10, 0);

	/* One hour on Friday, one on Monday; the weekend counts nothing. */
	g_assert_cmpint(bdm_business_elapsed(bh, BDM_COUNT_BUSINESS_HOURS, friday_16, monday_10),
	                ==, 2 * 3600);
	g_assert_cmpint(bdm_business_deadline(bh, BDM_COUNT_BUSINESS_HOURS, friday_16, 2 * 3600),
	                ==, monday_10);
	/* A near miss: one second less ends one second earlier, still on Monday. */
	g_assert_cmpint(bdm_business_deadline(bh, BDM_COUNT_BUSINESS_HOURS, friday_16,
	                                      2 * 3600 - 1), ==, monday_10 - 1);
	/* Exactly one hour ends at closing time on Friday, not on Monday morning. */
	g_assert_cmpint(bdm_business_deadline(bh, BDM_COUNT_BUSINESS_HOURS, friday_16, 3600),
	                ==, at("Europe/Berlin", 2026, 3, 6, 17, 0));
	/* A message on Saturday starts counting on Monday at opening time. */
	g_assert_cmpint(bdm_business_deadline(bh, BDM_COUNT_BUSINESS_HOURS,
	                                      at("Europe/Berlin", 2026, 3, 7, 11, 0), 2 * 3600),
	                ==, at("Europe/Berlin", 2026, 3, 9, 11, 0));
	g_assert_cmpint(bdm_business_elapsed(bh, BDM_COUNT_BUSINESS_HOURS, monday_10, friday_16),
	                ==, 0);
	g_assert_cmpint(bdm_business_elapsed(bh, BDM_COUNT_BUSINESS_HOURS, monday_10, monday_10),
	                ==, 0);
	g_assert_cmpint(bdm_business_deadline(bh, BDM_COUNT_BUSINESS_HOURS, friday_16, 0),
	                ==, friday_16);
	bdm_business_hours_free(bh);
}

static void test_weekend_days(void)
{
	BdmBusinessHours *bh = load(BERLIN);
	gint64 friday_10 = at("Europe/Berlin", 2026, 3, 6, 10, 0);
	gint64 monday_10 = at("Europe/Berlin", 2026, 3, 9, 10, 0);

	/* "Normal: 24 h on business days" from Friday 10:00 ends Monday 10:00. */
	g_assert_cmpint(bdm_business_deadline(bh, BDM_COUNT_BUSINESS_DAYS, friday_10, 24 * 3600),
	                ==, monday_10);
	g_assert_cmpint(bdm_business_elapsed(bh, BDM_COUNT_BUSINESS_DAYS, friday_10, monday_10),
	                ==, 24 * 3600);
	/* Friday evening counts (whole calendar seconds), Saturday does not. */
	g_assert_cmpint(bdm_business_elapsed(bh, BDM_COUNT_BUSINESS_DAYS, friday_10,
	                                     at("Europe/Berlin", 2026, 3, 7, 12, 0)),
	                ==, 14 * 3600);
	/* In hours mode the same span is only the seven open hours of Friday. */
	g_assert_cmpint(bdm_business_elapsed(bh, BDM_COUNT_BUSINESS_HOURS, friday_10,
	                                     at("Europe/Berlin", 2026, 3, 7, 12, 0)),
	                ==, 7 * 3600);
	bdm_business_hours_free(bh);
}

static void test_holidays(void)
{
	BdmBusinessHours *bh = load(BERLIN);
	/* Thursday 24 December 2026, 16:00; Friday 25th and Saturday 26th are holidays. */
	gint64 start = at("Europe/Berlin", 2026, 12, 24, 16, 0);

	g_assert_false(bdm_business_hours_is_open(bh, at("Europe/Berlin", 2026, 12, 25, 12, 0)));
	g_assert_true(bdm_business_hours_is_open(bh, at("Europe/Berlin", 2026, 12, 24, 12, 0)));
	g_assert_true(bdm_business_hours_is_open(bh, at("Europe/Berlin", 2026, 12, 28, 12, 0)));
	g_assert_cmpint(bdm_business_deadline(bh, BDM_COUNT_BUSINESS_HOURS, start, 2 * 3600),
	                ==, at("Europe/Berlin", 2026, 12, 28, 10, 0));
	g_assert_cmpint(bdm_business_deadline(bh, BDM_COUNT_BUSINESS_DAYS, start, 24 * 3600),
	                ==, at("Europe/Berlin", 2026, 12, 28, 16, 0));
	bdm_business_hours_free(bh);
}

static void test_dst(void)
{
	BdmBusinessHours *bh = load("[business_hours]\ntimezone=Europe/Berlin\n"
	                            "days=mon-sun\nopen=09:00\nclose=17:00\n");
	BdmBusinessHours *weekdays = load(BERLIN);

	/* Sunday 29 March 2026 has 23 hours, Sunday 25 October 2026 has 25. */
	g_assert_cmpint(bdm_business_elapsed(bh, BDM_COUNT_BUSINESS_DAYS,
	                                     at("Europe/Berlin", 2026, 3, 29, 0, 0),
	                                     at("Europe/Berlin", 2026, 3, 30, 0, 0)), ==, 23 * 3600);
	g_assert_cmpint(bdm_business_elapsed(bh, BDM_COUNT_BUSINESS_DAYS,
	                                     at("Europe/Berlin", 2026, 10, 25, 0, 0),
	                                     at("Europe/Berlin", 2026, 10, 26, 0, 0)), ==, 25 * 3600);
	/* Opening hours stay 8 wall-clock hours on the day of the change. */
	g_assert_cmpint(bdm_business_elapsed(bh, BDM_COUNT_BUSINESS_HOURS,
	                                     at("Europe/Berlin", 2026, 3, 29, 0, 0),
	                                     at("Europe/Berlin", 2026, 3, 30, 0, 0)), ==, 8 * 3600);
	/* 09:00 is 08:00 UTC before the change and 07:00 UTC after it. */
	g_assert_true(bdm_business_hours_is_open(weekdays, at("UTC", 2026, 3, 27, 8, 0)));
	g_assert_false(bdm_business_hours_is_open(weekdays, at("UTC", 2026, 3, 27, 7, 30)));
	g_assert_true(bdm_business_hours_is_open(weekdays, at("UTC", 2026, 3, 30, 7, 30)));
	g_assert_false(bdm_business_hours_is_open(weekdays, at("UTC", 2026, 3, 30, 6, 59)));
	/* Friday 16:00 CET + 2 business hours = Monday 10:00 CEST, 65 real hours later. */
	g_assert_cmpint(bdm_business_deadline(weekdays, BDM_COUNT_BUSINESS_HOURS,
	                                      at("Europe/Berlin", 2026, 3, 27, 16, 0), 2 * 3600)
	                - at("Europe/Berlin", 2026, 3, 27, 16, 0), ==, 65 * 3600);
	/* Business days across the change: Friday 10:00 + 24 h = Monday 10:00 local. */
	g_assert_cmpint(bdm_business_deadline(weekdays, BDM_COUNT_BUSINESS_DAYS,
	                                      at("Europe/Berlin", 2026, 3, 27, 10, 0), 24 * 3600),
	                ==, at("Europe/Berlin", 2026, 3, 30, 10, 0));
	bdm_business_hours_free(bh);
	bdm_business_hours_free(weekdays);
}

static void test_time_zones(void)
{
	BdmBusinessHours *tokyo = load("[business_hours]\ntimezone=Asia/Tokyo\n");
	BdmBusinessHours *new_york = load("[business_hours]\ntimezone=America/New_York\n");
	/* Tuesday 3 March 2026, 02:00 UTC: 11:00 in Tokyo, 21:00 Monday in New York. */
	gint64 t = at("UTC", 2026, 3, 3, 2, 0);

	g_assert_true(bdm_business_hours_is_open(tokyo, t));
	g_assert_false(bdm_business_hours_is_open(new_york, t));
	/* New York's own DST day (8 March) does not move its 09:00 opening. */
	g_assert_true(bdm_business_hours_is_open(new_york, at("America/New_York", 2026, 3, 9, 9, 0)));
	g_assert_false(bdm_business_hours_is_open(new_york,
	                                          at("America/New_York", 2026, 3, 9, 8, 59)));
	g_assert_cmpint(at("America/New_York", 2026, 3, 9, 9, 0), ==, at("UTC", 2026, 3, 9, 13, 0));
	bdm_business_hours_free(tokyo);
	bdm_business_hours_free(new_york);
}

static void check_inverse(const BdmBusinessHours *bh, BdmCountMode mode, gint64 span_start,
                          gint64 span)
{
	int i;

	for (i = 0; i < 1500; i++) {
		gint64 from = span_start + g_test_rand_int_range(0, (gint32)span);
		gint64 amount = g_test_rand_int_range(1, 12 * 24 * 3600);
		gint64 to = from + g_test_rand_int_range(0, 30 * 24 * 3600);
		gint64 deadline = bdm_business_deadline(bh, mode, from, amount);
		gint64 elapsed = bdm_business_elapsed(bh, mode, from, to);
		gint64 back = bdm_business_deadline(bh, mode, from, elapsed);

		/* deadline() reaches the amount exactly, and not one second sooner. */
		g_assert_cmpint(bdm_business_elapsed(bh, mode, from, deadline), ==, amount);
		g_assert_cmpint(bdm_business_elapsed(bh, mode, from, deadline - 1), ==, amount - 1);
		/* elapsed() then deadline() gives back the earliest equivalent instant. */
		g_assert_cmpint(back, <=, to);
		g_assert_cmpint(bdm_business_elapsed(bh, mode, from, back), ==, elapsed);
		if (mode == BDM_COUNT_BUSINESS_HOURS && bdm_business_hours_is_open(bh, to - 1) &&
		    elapsed > 0)
			g_assert_cmpint(back, ==, to);
		/* Additivity: splitting a span never changes its business time. */
		g_assert_cmpint(bdm_business_elapsed(bh, mode, from, deadline) +
		                bdm_business_elapsed(bh, mode, deadline, to + amount),
		                ==, bdm_business_elapsed(bh, mode, from, MAX(to + amount, deadline)));
	}
}

static void test_inverse_property(void)
{
	BdmBusinessHours *berlin = load(BERLIN);
	BdmBusinessHours *sydney = load("[business_hours]\ntimezone=Australia/Sydney\n"
	                                "days=mon;wed;sat\nopen=08:30\nclose=24:00\n"
	                                "holidays=2026-04-06\n");
	gint64 from = at("UTC", 2026, 1, 1, 0, 0);
	gint64 span = 364 * 24 * 3600;

	check_inverse(berlin, BDM_COUNT_BUSINESS_HOURS, from, span);
	check_inverse(berlin, BDM_COUNT_BUSINESS_DAYS, from, span);
	check_inverse(sydney, BDM_COUNT_BUSINESS_HOURS, from, span);
	check_inverse(sydney, BDM_COUNT_BUSINESS_DAYS, from, span);
	bdm_business_hours_free(berlin);
	bdm_business_hours_free(sydney);
}

static void test_parse_variants(void)
{
	BdmBusinessHours *bh = load("[business_hours]\ntimezone=UTC\ndays=Saturday; sun\n"
	                            "open=9:30\nclose=24:00\nholidays=\n");

	g_assert_true(bdm_business_hours_is_open(bh, at("UTC", 2026, 3, 7, 23, 59)));
	g_assert_false(bdm_business_hours_is_open(bh, at("UTC", 2026, 3, 7, 9, 29)));
	g_assert_true(bdm_business_hours_is_open(bh, at("UTC", 2026, 3, 8, 9, 30)));
	g_assert_false(bdm_business_hours_is_open(bh, at("UTC", 2026, 3, 9, 12, 0)));
	bdm_business_hours_free(bh);

	/* A wrapping range: Friday to Monday. */
	bh = load("[business_hours]\ntimezone=UTC\ndays=fri-mon\n");
	g_assert_true(bdm_business_hours_is_open(bh, at("UTC", 2026, 3, 8, 12, 0)));
	g_assert_true(bdm_business_hours_is_open(bh, at("UTC", 2026, 3, 9, 12, 0)));
	g_assert_false(bdm_business_hours_is_open(bh, at("UTC", 2026, 3, 10, 12, 0)));
	bdm_business_hours_free(bh);
}

static void test_bad_values(void)
{
	static const struct {
		const char *text;
		const char *expect; /* must appear in the message */
	} cases[] = {
		{ "timezone=Europe/Berlinn\n", "timezone" },
		{ "days=mon;tues-day\n", "tues-day" },
		{ "days=;\n", "days" },
		{ "open=25:00\n", "open" },
		{ "open=24:00\n", "open" },
		{ "open=9h\n", "9h" },
		{ "open=09:0\n", "open" },
		{ "close=24:01\n", "close" },
		{ "open=17:00\nclose=09:00\n", "close" },
		{ "open=09:00\nclose=09:00\n", "close" },
		{ "holidays=2026-02-30\n", "2026-02-30" },
		{ "holidays=2026-12-25;25.12.2026\n", "25.12.2026" },
		{ "holiday=2026-12-25\n", "holiday" },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *text = g_strconcat("[business_hours]\n", cases[i].text, NULL);
		char *message = load_error(text);

		if (strstr(message, cases[i].expect) == NULL)
			g_error("“%s” gave “%s”, which does not name “%s”", cases[i].text, message,
			        cases[i].expect);
		g_free(message);
		g_free(text);
	}
}

int main(int argc, char **argv)
{
	g_setenv("TZ", "UTC", TRUE);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/business_hours/default", test_default_hours);
	g_test_add_func("/business_hours/missing_group", test_missing_group_is_default);
	g_test_add_func("/business_hours/weekend_hours", test_weekend_hours);
	g_test_add_func("/business_hours/weekend_days", test_weekend_days);
	g_test_add_func("/business_hours/holidays", test_holidays);
	g_test_add_func("/business_hours/dst", test_dst);
	g_test_add_func("/business_hours/time_zones", test_time_zones);
	g_test_add_func("/business_hours/inverse_property", test_inverse_property);
	g_test_add_func("/business_hours/parse_variants", test_parse_variants);
	g_test_add_func("/business_hours/bad_values", test_bad_values);
	return g_test_run();
}
