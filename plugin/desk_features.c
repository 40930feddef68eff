/*
 * Templates, escalation tagging and response-time targets in libpurple.
 * (First stage: the hooks exist; the engines are wired in as they land.)
 */
#include "desk_internal.h"

void bdm_desk_features_init(void)
{
}

void bdm_desk_features_connect_signals(void)
{
}

void bdm_desk_features_shutdown(void)
{
}

const char *bdm_desk_take_template(BdmConn *conn, const char *customer_id, const char *text)
{
	(void)conn;
	(void)customer_id;
	(void)text;
	return NULL;
}

void bdm_desk_reply_sent(BdmConn *conn, const char *customer_id)
{
	(void)conn;
	(void)customer_id;
}

void bdm_desk_incoming_shown(BdmConn *conn, const char *customer_id, const char *text)
{
	(void)conn;
	(void)customer_id;
	(void)text;
}
