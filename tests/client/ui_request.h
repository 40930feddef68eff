/*
 * bdm-testclient: purple_request_* as pending questions the harness answers.
 *
 * Without request UI ops libpurple returns NULL from every purple_request_*
 * call and never calls back.  The test client instead reports each request
 * as a "request" event with a number and keeps it pending, like a user who
 * walked away, until the harness sends "request-answer" (or an auto-answer
 * policy is on).  Answers use the "action" index into the "actions" labels
 * of the event; input/file/folder answers carry "text", choice answers a
 * "choice" index, fields answers a "fields" object {id: value}.
 */
#ifndef BDM_CLIENT_UI_REQUEST_H
#define BDM_CLIENT_UI_REQUEST_H

#include <json-glib/json-glib.h>
#include <purple.h>

/* The table of pending requests and the answer policy. */
typedef struct _BdmRequests BdmRequests;

/* Create an empty table; requests stay pending until answered (the policy
 * a headless user who never looks at the screen would have). */
BdmRequests *bdm_requests_new(void);

/* Free the table.  Call after purple_core_quit(), which has already closed
 * and released every request still open. */
void bdm_requests_free(BdmRequests *requests);

/* The request UI ops routing to requests; libpurple's UI ops carry no user
 * data, so this binds the one table of the process (call once). */
PurpleRequestUiOps *bdm_requests_ui_ops(BdmRequests *requests);

/* Answer future requests automatically from an idle callback: with action
 * -1 the request's default (action requests) or OK, otherwise that index. */
void bdm_requests_set_auto(BdmRequests *requests, gboolean auto_answer, int action);

/* Answer request id as described by the "request-answer" command object;
 * FALSE with error when the request or the answer is unknown or invalid. */
gboolean bdm_requests_answer(BdmRequests *requests, guint id,
                             JsonObject *answer, GError **error);

/* Add "requests": [{request, kind, title}, ...] for every pending request,
 * oldest first. */
void bdm_requests_list(BdmRequests *requests, JsonBuilder *builder);

#endif /* BDM_CLIENT_UI_REQUEST_H */
