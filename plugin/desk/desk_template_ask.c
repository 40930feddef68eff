/*
 * Templates that ask: one purple_request_fields dialog, a field per
 * {ask:Label}, before the template is filled in.  See desk_features.h.
 *
 * A dialog must never call back into a conversation that is gone, nor into
 * a desk that was unloaded: a closing conversation and the desk's shutdown
 * close their dialogs first.  Finch runs a dialog's cancel callback while
 * purple_request_close destroys its window, so a closed request is marked
 * before it is closed and its callbacks then do nothing; the request itself
 * is freed after the close returns, never inside a callback that may still
 * be running.
 */
#include <string.h>

#include <conversation.h>
#include <request.h>

#include "branddm/i18n.h"
#include "desk_features.h"

/* Field ids are "ask" and the label's index: labels are display text. */
#define FIELD_ID_FORMAT "ask%u"

typedef struct {
	PurpleConversation *pconv;
	GPtrArray *labels;
	BdmDeskAskDone done;
	gpointer data;
	GDestroyNotify destroy;
	gboolean closed;        /* closed by the desk: callbacks do nothing */
} AskRequest;

/* Every dialog still open, so a conversation or the desk can close them. */
static GList *open_asks;

static void ask_free(AskRequest *ask)
{
	if (ask->destroy != NULL)
		ask->destroy(ask->data);
	g_ptr_array_unref(ask->labels);
	g_free(ask);
}

static void ask_ok(gpointer user_data, PurpleRequestFields *fields)
{
	AskRequest *ask = user_data;
	GHashTable *answers;
	guint i;

	if (ask->closed)
		return;
	open_asks = g_list_remove(open_asks, ask);
	answers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	for (i = 0; i < ask->labels->len; i++) {
		char id[32];
		const char *value;

		g_snprintf(id, sizeof(id), FIELD_ID_FORMAT, i);
		value = purple_request_fields_get_string(fields, id);
		g_hash_table_insert(answers, g_ptr_array_index(ask->labels, i),
		                    g_strdup(value != NULL ? value : ""));
	}
	ask->done(ask->pconv, answers, ask->data);
	g_hash_table_destroy(answers);
	ask_free(ask);
}

/* Also Finch's answer to a window closed without a button, when fields is
 * not the fields at all: it is not read. */
static void ask_cancel(gpointer user_data, PurpleRequestFields *fields)
{
	AskRequest *ask = user_data;

	(void)fields;
	if (ask->closed)
		return;
	open_asks = g_list_remove(open_asks, ask);
	ask->done(ask->pconv, NULL, ask->data);
	ask_free(ask);
}

/* Close ask's dialog without an answer and free it. */
static void close_one(AskRequest *ask)
{
	open_asks = g_list_remove(open_asks, ask);
	ask->closed = TRUE;
	purple_request_close_with_handle(ask);
	ask_free(ask);
}

static PurpleRequestFields *ask_fields(GPtrArray *labels)
{
	PurpleRequestFields *fields = purple_request_fields_new();
	PurpleRequestFieldGroup *group = purple_request_field_group_new(NULL);
	guint i;

	purple_request_fields_add_group(fields, group);
	for (i = 0; i < labels->len; i++) {
		char id[32];
		PurpleRequestField *field;

		g_snprintf(id, sizeof(id), FIELD_ID_FORMAT, i);
		/* Labels were checked at load: no markup, no mnemonic for Pidgin to read. */
		field = purple_request_field_string_new(id, g_ptr_array_index(labels, i), NULL, FALSE);
		purple_request_field_set_required(field, TRUE);
		purple_request_field_group_add_field(group, field);
	}
	return fields;
}

gboolean bdm_desk_template_ask(PurpleConversation *pconv, const char *name, GPtrArray *labels,
                               gboolean send, BdmDeskAskDone done, gpointer data,
                               GDestroyNotify destroy)
{
	PurpleRequestUiOps *ops = purple_request_get_ui_ops();
	AskRequest *ask;
	char *primary;
	void *ui_handle;

	/* Without a request UI libpurple would drop the dialog and never call back. */
	if (ops == NULL || ops->request_fields == NULL) {
		if (destroy != NULL)
			destroy(data);
		return FALSE;
	}
	ask = g_new0(AskRequest, 1);
	ask->pconv = pconv;
	ask->labels = g_ptr_array_ref(labels);
	ask->done = done;
	ask->data = data;
	ask->destroy = destroy;
	open_asks = g_list_prepend(open_asks, ask);
	primary = g_strdup_printf(_("Template “%s” asks for:"), name);
	/* The request's handle is the ask itself: closing one closes only it. */
	ui_handle = purple_request_fields(ask, _("Fill in the template"), primary, NULL,
	                                  ask_fields(labels), send ? _("Send") : _("Insert"),
	                                  G_CALLBACK(ask_ok), _("Cancel"), G_CALLBACK(ask_cancel),
	                                  purple_conversation_get_account(pconv),
	                                  purple_conversation_get_name(pconv), pconv, ask);
	g_free(primary);
	if (ui_handle == NULL) {
		close_one(ask);
		return FALSE;
	}
	return TRUE;
}

void bdm_desk_template_ask_close(PurpleConversation *pconv)
{
	GList *l = open_asks;

	while (l != NULL) {
		GList *next = l->next;
		AskRequest *ask = l->data;

		if (pconv == NULL || ask->pconv == pconv)
			close_one(ask);
		l = next;
	}
}
