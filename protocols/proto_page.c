/*
 * Assembling a BdmPollPage while parsing: see proto_page.h.
 */
#include <string.h>

#include "proto_page.h"

struct ProtoPage {
	GArray *conversations;    /* of BdmConversation */
	GArray *messages;         /* of BdmMessage */
	GPtrArray *next;          /* of char * */
	GArray *attachments;      /* of BdmAttachment */
	GHashTable *seen;         /* "c:" / "m:" / "n:" + id: what is in the page */
	int gap;
};

ProtoPage *proto_page_new(void)
{
	ProtoPage *page = g_new0(ProtoPage, 1);

	page->conversations = g_array_new(FALSE, TRUE, sizeof(BdmConversation));
	page->messages = g_array_new(FALSE, TRUE, sizeof(BdmMessage));
	page->next = g_ptr_array_new_with_free_func(g_free);
	page->attachments = g_array_new(FALSE, TRUE, sizeof(BdmAttachment));
	page->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return page;
}

static void conversation_clear(BdmConversation *conv)
{
	g_free(conv->id);
	g_free(conv->customer_id);
	g_free(conv->customer_name);
	memset(conv, 0, sizeof(*conv));
}

void proto_page_free(ProtoPage *page)
{
	guint i;

	if (!page)
		return;
	for (i = 0; i < page->conversations->len; i++)
		conversation_clear(&g_array_index(page->conversations, BdmConversation, i));
	for (i = 0; i < page->messages->len; i++)
		bdm_message_clear(&g_array_index(page->messages, BdmMessage, i));
	g_array_free(page->conversations, TRUE);
	g_array_free(page->messages, TRUE);
	g_ptr_array_free(page->next, TRUE);
	for (i = 0; i < page->attachments->len; i++)
		bdm_attachment_clear(&g_array_index(page->attachments, BdmAttachment, i));
	g_array_free(page->attachments, TRUE);
	g_hash_table_destroy(page->seen);
	g_free(page);
}

/* One table for all three kinds, so the key carries the kind. */
static gboolean remember(GHashTable *seen, char kind, const char *id)
{
	char *key = g_strdup_printf("%c:%s", kind, id);

	if (g_hash_table_contains(seen, key)) {
		g_free(key);
		return FALSE;
	}
	g_hash_table_add(seen, key);
	return TRUE;
}

void proto_page_add_conversation(ProtoPage *page, BdmConversation *conv)
{
	if (!conv->id || !remember(page->seen, 'c', conv->id)) {
		conversation_clear(conv);
		return;
	}
	g_array_append_val(page->conversations, *conv);
	memset(conv, 0, sizeof(*conv));
}

gboolean proto_page_add_message(ProtoPage *page, BdmMessage *msg)
{
	if (!msg->id || !remember(page->seen, 'm', msg->id)) {
		bdm_message_clear(msg);
		return FALSE;
	}
	g_array_append_val(page->messages, *msg);
	memset(msg, 0, sizeof(*msg));
	return TRUE;
}

void proto_page_add_attachment(ProtoPage *page, BdmAttachment *a)
{
	if (!a->message_id || page->attachments->len >= PROTO_PAGE_MAX_ATTACHMENTS) {
		if (a->message_id)
			page->gap = 1;
		bdm_attachment_clear(a);
		return;
	}
	g_array_append_val(page->attachments, *a);
	memset(a, 0, sizeof(*a));
}

void proto_page_add_next(ProtoPage *page, const char *cursor)
{
	if (!cursor || !*cursor || !remember(page->seen, 'n', cursor))
		return;
	g_ptr_array_add(page->next, g_strdup(cursor));
}

void proto_page_set_gap(ProtoPage *page)
{
	page->gap = 1;
}

void proto_page_finish(ProtoPage *page, long long not_before, BdmPollPage *out)
{
	out->n_conversations = page->conversations->len;
	out->conversations = (BdmConversation *)(void *)g_array_free(page->conversations,
	                                                             FALSE);
	out->n_messages = page->messages->len;
	out->messages = (BdmMessage *)(void *)g_array_free(page->messages, FALSE);
	out->n_next = page->next->len;
	out->next = (char **)g_ptr_array_free(page->next, FALSE);
	out->n_attachments = page->attachments->len;
	out->attachments = (BdmAttachment *)(void *)g_array_free(page->attachments, FALSE);
	out->not_before = not_before;
	out->gap = page->gap;
	g_hash_table_destroy(page->seen);
	g_free(page);
}
