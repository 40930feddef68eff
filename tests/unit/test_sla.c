/*
 * Response-time targets: waiting periods, levels at 74 %, 75 % and 100 %,
 * the normal target across a weekend, once-per-level alerts with the next
 * change instant, and the "waiting conversations" order.
 */
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "sla.h"

static char *tmpdir;

static gint64 berlin(int y, int mo, int d, int h, int mi, int s)
{
	GTimeZone *tz = g_time_zone_new_identifier("Europe/Berlin");
	GDateTime *dt = g_date_time_new(tz, y, mo, d, h, mi, s);
	gint64 t = g_date_time_to_unix(dt);

	g_date_time_unref(dt);
	g_time_zone_unref(tz);
	return t;
}

/* urgent 2 h in business hours, normal 24 h in business days, warn at 75 %. */
static BdmDeskConfig *load_desk(const char *extra)
{
	char *path = g_build_filename(tmpdir, "desk.conf", NULL);
	char *text = g_strconcat("[business_hours]\ntimezone=Europe/Berlin\n"
	                         "days=mon;tue;wed;thu;fri\nopen=09:00\nclose=17:00\n"
	                         "holidays=2026-12-25\n", extra, NULL);
	GError *error = NULL;
	BdmDeskConfig *cfg;

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	cfg = bdm_desk_config_load(path, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(cfg);
	g_unlink(path);
	g_free(path);
	g_free(text);
	return cfg;
}

static void test_state_transitions(void)
{
	BdmSlaState s = { 0 };

	bdm_sla_state_inbound(&s, 1000);
	g_assert_cmpint(s.waiting_since, ==, 1000);
	/* Later customer messages do not restart the clock. */
	bdm_sla_state_inbound(&s, 2000);
	g_assert_cmpint(s.waiting_since, ==, 1000);
	/* A message fetched late but sent earlier moves the start back. */
	bdm_sla_state_inbound(&s, 900);
	g_assert_cmpint(s.waiting_since, ==, 900);
	s.urgent = TRUE;
	bdm_sla_state_outbound(&s);
	g_assert_cmpint(s.waiting_since, ==, 0);
	g_assert_true(s.urgent);
	/* The first message after the reply starts a new period. */
	bdm_sla_state_inbound(&s, 3000);
	g_assert_cmpint(s.waiting_since, ==, 3000);
	bdm_sla_state_resolve(&s);
	g_assert_cmpint(s.waiting_since, ==, 0);
	g_assert_false(s.urgent);
	bdm_sla_state_inbound(&s, 0); /* an unknown time starts nothing */
	g_assert_cmpint(s.waiting_since, ==, 0);
}

static void test_levels_at_thresholds(void)
{
	BdmDeskConfig *cfg = load_desk("");
	/* Urgent: 2 h = 7200 business seconds; 75 % = 5400 s, 74 % = 5328 s. */
	BdmSlaState s = { .waiting_since = berlin(2026, 3, 2, 9, 0, 0), .urgent = TRUE };
	BdmSlaStatus st;

	st = bdm_sla_evaluate(cfg, &s, s.waiting_since + 5328);
	g_assert_cmpint(st.level, ==, BDM_SLA_OK);
	g_assert_cmpfloat_with_epsilon(st.fraction, 0.74, 1e-9);
	g_assert_cmpint(bdm_sla_evaluate(cfg, &s, s.waiting_since + 5399).level, ==, BDM_SLA_OK);
	st = bdm_sla_evaluate(cfg, &s, s.waiting_since + 5400);
	g_assert_cmpint(st.level, ==, BDM_SLA_WARN);
	g_assert_cmpfloat_with_epsilon(st.fraction, 0.75, 1e-9);
	g_assert_cmpint(st.target, ==, 7200);
	g_assert_cmpint(st.elapsed, ==, 5400);
	g_assert_cmpint(st.warn_at, ==, s.waiting_since + 5400);
	g_assert_cmpint(st.deadline, ==, s.waiting_since + 7200);
	g_assert_cmpint(bdm_sla_evaluate(cfg, &s, s.waiting_since + 7199).level, ==, BDM_SLA_WARN);
	st = bdm_sla_evaluate(cfg, &s, s.waiting_since + 7200);
	g_assert_cmpint(st.level, ==, BDM_SLA_BREACH);
	g_assert_cmpfloat_with_epsilon(st.fraction, 1.0, 1e-9);
	g_assert_cmpint(bdm_sla_evaluate(cfg, &s, s.waiting_since + 99999).level, ==,
	                BDM_SLA_BREACH);
	/* The same waiting time on the normal target is far from any threshold. */
	s.urgent = FALSE;
	g_assert_cmpint(bdm_sla_evaluate(cfg, &s, s.waiting_since + 7200).level, ==, BDM_SLA_OK);
	/* Nothing waiting is no level at all. */
	s.waiting_since = 0;
	st = bdm_sla_evaluate(cfg, &s, 5000);
	g_assert_cmpint(st.level, ==, BDM_SLA_NONE);
	g_assert_cmpint(st.deadline, ==, 0);
	bdm_desk_config_free(cfg);
}

static void test_normal_target_over_weekend(void)
{
	BdmDeskConfig *cfg = load_desk("");
	/* Friday 10:00: 24 business-day hours end on Monday 10:00, warning (75 % =
	 * 18 h) on Monday 04:00 after Friday's 14 h. */
	BdmSlaState s = { .waiting_since = berlin(2026, 3, 6, 10, 0, 0) };
	BdmSlaStatus st;

	st = bdm_sla_evaluate(cfg, &s, berlin(2026, 3, 7, 23, 0, 0));
	g_assert_cmpint(st.level, ==, BDM_SLA_OK);
	g_assert_cmpint(st.elapsed, ==, 14 * 3600);
	g_assert_cmpint(st.deadline, ==, berlin(2026, 3, 9, 10, 0, 0));
	g_assert_cmpint(st.warn_at, ==, berlin(2026, 3, 9, 4, 0, 0));
	g_assert_cmpint(bdm_sla_evaluate(cfg, &s, berlin(2026, 3, 9, 3, 59, 59)).level, ==,
	                BDM_SLA_OK);
	g_assert_cmpint(bdm_sla_evaluate(cfg, &s, berlin(2026, 3, 9, 4, 0, 0)).level, ==,
	                BDM_SLA_WARN);
	g_assert_cmpint(bdm_sla_evaluate(cfg, &s, berlin(2026, 3, 9, 9, 59, 59)).level, ==,
	                BDM_SLA_WARN);
	g_assert_cmpint(bdm_sla_evaluate(cfg, &s, berlin(2026, 3, 9, 10, 0, 0)).level, ==,
	                BDM_SLA_BREACH);
	/* Urgent from Friday 16:30: 30 min on Friday, 90 min on Monday. */
	s.waiting_since = berlin(2026, 3, 6, 16, 30, 0);
	s.urgent = TRUE;
	st = bdm_sla_evaluate(cfg, &s, berlin(2026, 3, 8, 12, 0, 0));
	g_assert_cmpint(st.elapsed, ==, 1800);
	g_assert_cmpint(st.deadline, ==, berlin(2026, 3, 9, 10, 30, 0));
	bdm_desk_config_free(cfg);
}

static void test_configured_targets(void)
{
	BdmDeskConfig *cfg = load_desk("[sla]\nurgent=30m\nurgent_mode=business_days\n"
	                               "normal=1h30m\nnormal_mode=business_hours\nwarn_at=50%\n");
	BdmSlaState s = { .waiting_since = berlin(2026, 3, 6, 16, 0, 0) };
	BdmSlaStatus st;

	/* Normal: 90 business-hour minutes from Friday 16:00 end Monday 09:30. */
	st = bdm_sla_evaluate(cfg, &s, berlin(2026, 3, 6, 16, 45, 0));
	g_assert_cmpint(st.level, ==, BDM_SLA_WARN);
	g_assert_cmpint(st.deadline, ==, berlin(2026, 3, 9, 9, 30, 0));
	g_assert_cmpint(bdm_sla_evaluate(cfg, &s, berlin(2026, 3, 6, 16, 44, 59)).level, ==,
	                BDM_SLA_OK);
	/* Urgent counts calendar time on business days: 17:00 is not the end. */
	s.urgent = TRUE;
	st = bdm_sla_evaluate(cfg, &s, berlin(2026, 3, 6, 16, 30, 0));
	g_assert_cmpint(st.level, ==, BDM_SLA_BREACH);
	g_assert_cmpint(st.deadline, ==, berlin(2026, 3, 6, 16, 30, 0));
	bdm_desk_config_free(cfg);
}

static void test_alerts(void)
{
	BdmDeskConfig *cfg = load_desk("");
	BdmSlaState s = { .waiting_since = berlin(2026, 3, 2, 9, 0, 0), .urgent = TRUE };
	BdmSlaAlerted alerted = { 0 };
	BdmSlaLevel level = BDM_SLA_NONE;
	gint64 next = -1;

	g_assert_false(bdm_sla_alert_due(cfg, &s, &alerted, s.waiting_since + 60, &level, &next));
	g_assert_cmpint(next, ==, s.waiting_since + 5400);
	g_assert_true(bdm_sla_alert_due(cfg, &s, &alerted, next, &level, &next));
	g_assert_cmpint(level, ==, BDM_SLA_WARN);
	g_assert_cmpint(next, ==, s.waiting_since + 7200);
	/* The same level does not alert twice. */
	g_assert_false(bdm_sla_alert_due(cfg, &s, &alerted, next - 1, &level, &next));
	g_assert_true(bdm_sla_alert_due(cfg, &s, &alerted, next, &level, &next));
	g_assert_cmpint(level, ==, BDM_SLA_BREACH);
	g_assert_cmpint(next, ==, 0);
	g_assert_false(bdm_sla_alert_due(cfg, &s, &alerted, next + 86400 * 3, &level, NULL));

	/* A reply ends the period; the next one alerts afresh, and a jump from
	 * OK straight to BREACH (the plugin was not running) alerts once. */
	bdm_sla_state_outbound(&s);
	g_assert_false(bdm_sla_alert_due(cfg, &s, &alerted, s.waiting_since + 86400, &level,
	                                 &next));
	g_assert_cmpint(next, ==, 0);
	bdm_sla_state_inbound(&s, berlin(2026, 3, 3, 9, 0, 0));
	g_assert_true(bdm_sla_alert_due(cfg, &s, &alerted, berlin(2026, 3, 4, 9, 0, 0), &level,
	                                &next));
	g_assert_cmpint(level, ==, BDM_SLA_BREACH);
	g_assert_false(bdm_sla_alert_due(cfg, &s, &alerted, berlin(2026, 3, 4, 9, 0, 1), &level,
	                                 &next));
	bdm_desk_config_free(cfg);
}

typedef struct {
	const char *id;
	BdmSlaState sla;
} Conversation;

static const BdmSlaState *conversation_state(gconstpointer item)
{
	return &((const Conversation *)item)->sla;
}

/* Most urgent first: an urgent conversation with a shorter target can be
 * due before an older normal one. */
static void test_sort_due(void)
{
	/* Normal target 1 h, urgent 15 min, on a Wednesday at noon. */
	BdmDeskConfig *cfg = load_desk("[sla]\nnormal=1h\nnormal_mode=business_hours\n"
	                               "urgent=15m\nurgent_mode=business_hours\n");
	gint64 now = berlin(2026, 12, 2, 12, 0, 0);
	Conversation c[] = {
		{ "normal-30m", { now - 1800, FALSE } },     /* due in 30 min */
		{ "answered", { 0, TRUE } },
		{ "urgent-10m", { now - 600, TRUE } },       /* due in 5 min */
		{ "normal-2h", { now - 7200, FALSE } },      /* overdue by an hour */
		{ "tie-normal", { now - 2700, FALSE } },     /* due in 15 min */
		{ "tie-urgent", { now, TRUE } },             /* due in 15 min */
		{ "tie-normal-2", { now - 2700, FALSE } },   /* due in 15 min */
	};
	static const char *const expected[] = {
		"normal-2h", "urgent-10m", "tie-urgent", "tie-normal", "tie-normal-2", "normal-30m"
	};
	GPtrArray *items = g_ptr_array_new();
	GPtrArray *sorted;
	guint i;

	for (i = 0; i < G_N_ELEMENTS(c); i++)
		g_ptr_array_add(items, &c[i]);
	sorted = bdm_sla_sort_due(cfg, items, conversation_state, now);
	g_assert_cmpuint(sorted->len, ==, G_N_ELEMENTS(expected));
	for (i = 0; i < sorted->len; i++)
		g_assert_cmpstr(((Conversation *)g_ptr_array_index(sorted, i))->id, ==, expected[i]);
	/* The input is left as it was. */
	g_assert_cmpuint(items->len, ==, G_N_ELEMENTS(c));
	g_assert_true(g_ptr_array_index(items, 0) == &c[0]);
	g_ptr_array_unref(sorted);
	g_ptr_array_unref(items);

	sorted = bdm_sla_sort_due(cfg, NULL, conversation_state, now);
	g_assert_cmpuint(sorted->len, ==, 0);
	g_ptr_array_unref(sorted);
	bdm_desk_config_free(cfg);
}

static void test_level_names(void)
{
	g_assert_cmpstr(bdm_sla_level_name(BDM_SLA_OK), ==, "OK");
	g_assert_cmpstr(bdm_sla_level_name(BDM_SLA_WARN), ==, "Warning");
	g_assert_cmpstr(bdm_sla_level_name(BDM_SLA_BREACH), ==, "Overdue");
	g_assert_cmpstr(bdm_sla_level_name(BDM_SLA_NONE), ==, "");
}

int main(int argc, char **argv)
{
	int status;

	g_setenv("LC_ALL", "C", TRUE);
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("test_sla-XXXXXX", NULL);
	g_assert_nonnull(tmpdir);
	g_test_add_func("/sla/state_transitions", test_state_transitions);
	g_test_add_func("/sla/levels_at_thresholds", test_levels_at_thresholds);
	g_test_add_func("/sla/normal_target_over_weekend", test_normal_target_over_weekend);
	g_test_add_func("/sla/configured_targets", test_configured_targets);
	g_test_add_func("/sla/alerts", test_alerts);
	g_test_add_func("/sla/sort_due", test_sort_due);
	g_test_add_func("/sla/level_names", test_level_names);
	status = g_test_run();
	g_rmdir(tmpdir);
	g_free(tmpdir);
	return status;
}
