/*
 * bdm-testclient: the request table shared by ui_request.c (answers) and
 * ui_request_ops.c (libpurple's request UI ops).  Not for other files.
 *
 * The pointer libpurple gets back as a request's ui_handle is its
 * BdmPendingRequest; libpurple hands it to close_request when the request
 * goes away for any reason (answered, closed by a plugin, core shutdown),
 * and that is where bdm_requests_remove() frees it.
 */
#ifndef BDM_CLIENT_UI_REQUEST_PRIVATE_H
#define BDM_CLIENT_UI_REQUEST_PRIVATE_H

#include <purple.h>

#include "ui_request.h"

/* What kind of answer a request expects, and how its callbacks are typed. */
typedef enum {
	BDM_REQUEST_ACTION,   /* one PurpleRequestActionCb per label */
	BDM_REQUEST_INPUT,    /* ok/cancel PurpleRequestInputCb with the text */
	BDM_REQUEST_CHOICE,   /* ok/cancel PurpleRequestChoiceCb with the choice value */
	BDM_REQUEST_FIELDS,   /* ok/cancel PurpleRequestFieldsCb with the fields */
	BDM_REQUEST_FILE      /* ok/cancel PurpleRequestFileCb with a path (file, folder) */
} BdmRequestKind;

/* One open request as the harness sees it. */
typedef struct {
	BdmRequests *owner;
	guint id;
	PurpleRequestType type;
	BdmRequestKind kind;
	GPtrArray *labels;      /* char*: what "action" indexes */
	GArray *callbacks;      /* GCallback per label (NULL allowed) */
	int default_action;
	GPtrArray *choices;     /* BDM_REQUEST_CHOICE: char* labels */
	GArray *choice_values;  /* BDM_REQUEST_CHOICE: int value per label */
	int default_choice;     /* BDM_REQUEST_CHOICE: index into choices */
	char *default_text;     /* BDM_REQUEST_INPUT / BDM_REQUEST_FILE */
	PurpleRequestFields *fields; /* BDM_REQUEST_FIELDS: the UI's to free */
	void *user_data;
	guint auto_source;      /* idle source of a pending auto answer */
} BdmPendingRequest;

struct _BdmRequests {
	GHashTable *pending;    /* id -> BdmPendingRequest* */
	guint next_id;
	gboolean auto_answer;
	int auto_action;
};

/* A new request numbered by requests, not yet in the table: add its
 * labels, then hand it to bdm_requests_add(). */
BdmPendingRequest *bdm_pending_new(BdmRequests *requests, PurpleRequestType type,
                                   BdmRequestKind kind, void *user_data);

/* Append an answer label and the callback it runs (may be NULL). */
void bdm_pending_add_label(BdmPendingRequest *request, const char *label,
                           GCallback callback);

/* Enter request into its table and arm the auto answer if the policy is
 * on; call after reporting it, before returning it to libpurple. */
void bdm_requests_add(BdmPendingRequest *request);

/* Take request out of its table and free it: libpurple has closed it. */
void bdm_requests_remove(BdmPendingRequest *request);

/* The "kind" name the events use: action, input, choice, fields, file or
 * folder. */
const char *bdm_pending_kind_name(const BdmPendingRequest *request);

#endif /* BDM_CLIENT_UI_REQUEST_PRIVATE_H */
