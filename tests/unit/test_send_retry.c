/*
 * The retry decision of a failed reply (plugin/host/send_retry.c), case by
 * case: a reply is retried only where the platform cannot have sent it, and
 * an ambiguous failure is never retried (a customer must not get it twice).
 */
#include <glib.h>

#include "send_retry.h"

typedef struct {
	const char *what;
	BdmSendFailure failure;
	BdmSendAction action;
	gint64 wait;
} Case;

#define OK      BDM_HTTP_OK
#define NOTSENT BDM_HTTP_NOT_SENT
#define AMBIG   BDM_HTTP_AMBIGUOUS
#define REFUSED BDM_HTTP_REFUSED
#define BIG     BDM_HTTP_TOO_LARGE

static const Case cases[] = {
	/* what                                  outcome status class              wait att   action                wait */
	{ "token refused",                     { OK,      401, BDM_ERR_AUTH,       0,   1 }, BDM_SEND_AUTH_FAILED, 0 },
	{ "token refused, with a wait",        { OK,      401, BDM_ERR_AUTH,       900, 1 }, BDM_SEND_AUTH_FAILED, 0 },
	{ "429 with Retry-After",              { OK,      429, BDM_ERR_RATE_LIMIT, 20,  1 }, BDM_SEND_RETRY,       20 },
	{ "429 without Retry-After",           { OK,      429, BDM_ERR_RATE_LIMIT, 0,   1 }, BDM_SEND_RETRY,       30 },
	{ "429 at the limit of waiting",       { OK,      429, BDM_ERR_RATE_LIMIT, 300, 1 }, BDM_SEND_RETRY,       300 },
	{ "429 asking for more than 5 min",    { OK,      429, BDM_ERR_RATE_LIMIT, 301, 1 }, BDM_SEND_PAUSE,       0 },
	{ "503 asking for an hour",            { OK,      503, BDM_ERR_TRANSIENT,  3600, 1 }, BDM_SEND_PAUSE,      0 },
	{ "429, last attempt",                 { OK,      429, BDM_ERR_RATE_LIMIT, 5,   4 }, BDM_SEND_NOT_SENT,    0 },
	{ "500 transient, first attempt",      { OK,      500, BDM_ERR_TRANSIENT,  0,   1 }, BDM_SEND_RETRY,       2 },
	{ "502 transient, second attempt",     { OK,      502, BDM_ERR_TRANSIENT,  0,   2 }, BDM_SEND_RETRY,       4 },
	{ "503 with Retry-After",              { OK,      503, BDM_ERR_TRANSIENT,  7,   3 }, BDM_SEND_RETRY,       7 },
	{ "500 with an unreadable body",       { OK,      500, BDM_ERR_MALFORMED,  0,   1 }, BDM_SEND_RETRY,       2 },
	{ "500, last attempt",                 { OK,      500, BDM_ERR_TRANSIENT,  0,   4 }, BDM_SEND_NOT_SENT,    0 },
	{ "500 refusing for good",             { OK,      500, BDM_ERR_REFUSED,    0,   1 }, BDM_SEND_NOT_SENT,    0 },
	{ "never left this computer",          { NOTSENT, 0,   BDM_ERR_TRANSIENT,  0,   1 }, BDM_SEND_RETRY,       2 },
	{ "never left, third attempt",         { NOTSENT, 0,   BDM_ERR_TRANSIENT,  0,   3 }, BDM_SEND_RETRY,       8 },
	{ "never left, last attempt",          { NOTSENT, 0,   BDM_ERR_TRANSIENT,  0,   4 }, BDM_SEND_NOT_SENT,    0 },
	{ "cut off after sending",             { AMBIG,   0,   BDM_ERR_TRANSIENT,  0,   1 }, BDM_SEND_UNCONFIRMED, 0 },
	{ "cut off after sending, last",       { AMBIG,   0,   BDM_ERR_TRANSIENT,  0,   4 }, BDM_SEND_UNCONFIRMED, 0 },
	{ "200 with an unreadable body",       { OK,      200, BDM_ERR_MALFORMED,  0,   1 }, BDM_SEND_UNCONFIRMED, 0 },
	{ "201 without a message id",          { OK,      201, BDM_ERR_MALFORMED,  0,   1 }, BDM_SEND_UNCONFIRMED, 0 },
	{ "outside the reply window",          { OK,      400, BDM_ERR_WINDOW,     0,   1 }, BDM_SEND_NOT_SENT,    0 },
	{ "invalid request",                   { OK,      400, BDM_ERR_INVALID,    0,   1 }, BDM_SEND_NOT_SENT,    0 },
	{ "403 usage cap",                     { OK,      403, BDM_ERR_REFUSED,    0,   1 }, BDM_SEND_NOT_SENT,    0 },
	{ "URL refused by our rules",          { REFUSED, 0,   BDM_ERR_INVALID,    0,   1 }, BDM_SEND_NOT_SENT,    0 },
	{ "answer too large",                  { BIG,     0,   BDM_ERR_MALFORMED,  0,   1 }, BDM_SEND_NOT_SENT,    0 },
};

static void test_table(void)
{
	guint i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		const Case *c = &cases[i];
		gint64 wait = -1;
		BdmSendAction action = bdm_send_decide(&c->failure, &wait);

		if (action != c->action || wait != c->wait)
			g_error("%s: got action %d wait %" G_GINT64_FORMAT ", expected %d wait %"
			        G_GINT64_FORMAT, c->what, action, wait, c->action, c->wait);
	}
}

/* Every retry waits at least a second, and the attempts are bounded: a
 * reply that keeps failing stops after BDM_SEND_MAX_ATTEMPTS. */
static void test_bounded(void)
{
	BdmSendFailure f = { BDM_HTTP_NOT_SENT, 0, BDM_ERR_TRANSIENT, 0, 1 };
	gint64 wait;
	guint retries = 0;

	while (bdm_send_decide(&f, &wait) == BDM_SEND_RETRY) {
		g_assert_cmpint(wait, >=, 1);
		retries++;
		f.attempts++;
		g_assert_cmpuint(retries, <, 100);
	}
	g_assert_cmpuint(retries, ==, BDM_SEND_MAX_ATTEMPTS - 1);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/send-retry/table", test_table);
	g_test_add_func("/send-retry/bounded", test_bounded);
	return g_test_run();
}
