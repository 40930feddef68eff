/*
 * branddm-admin report, shared between its files: admin_report.c reads the
 * logs, admin_report_stats.c turns conversations into figures, and
 * admin_report_text.c / admin_report_html.c print them.
 */
#ifndef BRANDDM_ADMIN_REPORT_H
#define BRANDDM_ADMIN_REPORT_H

#include <glib.h>

#include "admin_util.h"
#include "business_hours.h"

/* Response-time targets: urgent in business hours, normal in business days. */
#define BDM_REPORT_URGENT_TARGET (2 * 3600)
#define BDM_REPORT_NORMAL_TARGET (24 * 3600)

/** What happened in a conversation, in the order the analysis needs. */
typedef enum {
	BDM_ITEM_IN,        /* a customer message */
	BDM_ITEM_OUT,       /* a reply reached the platform */
	BDM_ITEM_URGENT,    /* escalated with urgent=true */
	BDM_ITEM_RESOLVE    /* marked resolved: waiting ends without a reply */
} BdmItemKind;

typedef struct {
	gint64 t;            /* platform time, else logged time */
	const char *agent;   /* interned; for a reply, who is credited with it */
	guint8 kind;         /* BdmItemKind */
	gboolean automated;
} BdmReportItem;

/** One customer on one brand account. */
typedef struct {
	const char *key;       /* its key in the report's conversations (owned there) */
	const char *platform;  /* interned */
	const char *account;   /* interned */
	GArray *items;         /* BdmReportItem */
} BdmReportConversation;

/** Figures of one row: a brand account or an agent. */
typedef struct {
	char *name;              /* "platform:account" or the agent */
	GHashTable *conversations; /* BdmReportConversation* set */
	gint64 messages_in;      /* accounts: received; agents: in the waits they ended */
	gint64 messages_out;     /* human replies (and, for accounts, automated ones) */
	gint64 automated_out;
	GArray *response_times;  /* gint64 seconds from first waiting message to reply */
	gint64 within_target;    /* answered within target */
	gint64 missed_target;    /* answered late, or unanswered past target */
	gint64 open;             /* still waiting, target not yet reached */
	GHashTable *blocks;      /* rule -> count */
	GHashTable *escalations; /* department -> count */
	/* Filled by bdm_report_finish: */
	gint64 frt_median;       /* -1 when there is no response */
	gint64 frt_p90;
} BdmReportRow;

typedef struct {
	GStringChunk *strings;   /* interned strings of all records */
	GHashTable *conversations; /* "platform\x1faccount\x1fcustomer" -> conversation */
	GHashTable *accounts;    /* name -> BdmReportRow */
	GHashTable *agents;      /* name -> BdmReportRow */
	GHashTable *delivered;   /* message key -> the best copy so far, for cross-file
	                          * dedupe; emptied once every file is read */
	char **files;
	gboolean has_since, has_until;
	gint64 since, until;
	gint64 now;              /* when open waits are judged: --until or now */
	gint64 records;
	const BdmBusinessHours *hours;
	/* Filled by bdm_report_finish, sorted by name: */
	GPtrArray *account_rows;
	GPtrArray *agent_rows;
} BdmReport;

/** An empty report over files (borrowed) judged with hours (borrowed).
 *  Free with bdm_report_free. */
BdmReport *bdm_report_new(char **files, const BdmBusinessHours *hours);

/** Release the report and everything in it.
 *  NULL is allowed. */
void bdm_report_free(BdmReport *report);

/** The row named name in table (the report's accounts or agents), created
 *  when new; owned by the table. */
BdmReportRow *bdm_report_row(GHashTable *table, const char *name);

/** Add one to counter key of a count table (blocks, escalations).
 *  key is copied when new. */
void bdm_report_count(GHashTable *counts, const char *key);

/** Walk every conversation (waits, responses, targets), then sort the
 *  rows and compute the percentiles. */
void bdm_report_finish(BdmReport *report);

/** The share answered within target in percent, or -1 when nothing was
 *  due yet. */
double bdm_report_within_share(const BdmReportRow *row);

/** Count table entries sorted by count (then name), as a new array of
 *  the keys; the counts stay in the table. */
GPtrArray *bdm_report_sorted_counts(GHashTable *counts);

/** Print the report as an aligned text table.
 *  For a terminal. */
void bdm_report_print_table(const BdmReport *report, BdmOut *out);

/** Print the report as one JSON document.
 *  For programs. */
void bdm_report_print_json(const BdmReport *report, BdmOut *out);

/** Print the report as CSV, one row per account and per agent.
 *  Count tables become "key=n;key=n" cells. */
void bdm_report_print_csv(const BdmReport *report, BdmOut *out);

/** Print the report as one self-contained HTML page with inline SVG bar
 *  charts; every text from the logs is escaped. */
void bdm_report_print_html(const BdmReport *report, BdmOut *out);

/** "3h 05m"-style duration for people.
 *  A new string. */
char *bdm_report_duration(gint64 seconds);

#endif /* BRANDDM_ADMIN_REPORT_H */
