/*
 * Graph API poll pages.
 *
 * Two shapes arrive here.  The conversations edge lists conversations, each
 * with participants and its newest messages inline (with their own paging
 * link when there are more).  Following such a nested link returns the
 * /{conversation-id}/messages edge: a bare list of messages.  The shape of
 * each item tells them apart, because parse_poll is not told which request
 * it answers; a bare message's conversation id is read from the page's own
 * paging links, which point back at /{conversation-id}/messages.
 *
 * An item we cannot read is skipped and marks the page's gap, rather than
 * failing the page: one odd message must not block every later poll.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "graph.h"
#include "proto_json.h"
#include "proto_page.h"
#include "proto_text.h"
#include "proto_url.h"

typedef struct {
	const GraphFlavor *flavor;
	const BdmAccountCtx *ctx;
	char *base;              /* API base: the only origin links may point to */
	ProtoPage *page;
} PollParse;

/* Queue a paging link for the host, or note the gap if it is not safe to
 * follow: a foreign link must never receive the token. */
static void add_link(PollParse *p, const char *link)
{
	char *clean;

	if (!link || !*link)
		return;
	if (!proto_url_same_origin(link, p->base)) {
		g_debug("branddm: ignoring a paging link off the API origin %s", p->base);
		proto_page_set_gap(p->page);
		return;
	}
	clean = proto_url_strip_param(link, "access_token");
	if (!clean) {
		proto_page_set_gap(p->page);
		return;
	}
	proto_page_add_next(p->page, clean);
	g_free(clean);
}

static const char *person_name(JsonObject *person)
{
	const char *name = proto_json_get_string(person, "name");

	/* Instagram participants carry a username instead of a name. */
	if (!name || !*name)
		name = proto_json_get_string(person, "username");
	return name && *name ? name : NULL;
}

/* The customer side of a message: for the brand's messages the first
 * recipient that is not the brand, otherwise the sender. */
static char *first_recipient(PollParse *p, JsonObject *msg, gboolean from_brand)
{
	JsonArray *to = proto_json_get_array(proto_json_get_object(msg, "to"), "data");
	guint i, n = to ? json_array_get_length(to) : 0;
	char *first = NULL;

	for (i = 0; i < n; i++) {
		char *id = proto_json_dup_id(proto_json_array_object(to, i), "id");

		if (!id)
			continue;
		if (!from_brand || !graph_is_brand(p->flavor, p->ctx, id)) {
			g_free(first);
			return id;
		}
		if (!first)
			first = id;
		else
			g_free(id);
	}
	return first;
}

/* A declared number that must fit an int and be positive, else 0. */
static int small_int(JsonObject *obj, const char *name)
{
	gint64 v = 0;

	if (!proto_json_get_int(obj, name, &v) || v <= 0 || v > G_MAXINT)
		return 0;
	return (int)v;
}

static BdmAttachmentKind kind_of(const char *mime, JsonObject *item)
{
	if (proto_json_get_object(item, "image_data") || (mime && g_str_has_prefix(mime, "image/")))
		return BDM_ATTACHMENT_IMAGE;
	if (proto_json_get_object(item, "video_data") || (mime && g_str_has_prefix(mime, "video/")))
		return BDM_ATTACHMENT_VIDEO;
	if (mime && g_str_has_prefix(mime, "audio/"))
		return BDM_ATTACHMENT_AUDIO;
	return BDM_ATTACHMENT_FILE;
}

/* One item of attachments.data; FALSE when it gives nothing to fetch. */
static gboolean read_attachment(JsonObject *item, const char *message_id, BdmAttachment *a)
{
	JsonObject *image = proto_json_get_object(item, "image_data");
	JsonObject *video = proto_json_get_object(item, "video_data");
	const char *url = proto_json_get_string(image, "url");
	gint64 size = 0;

	if (!url)
		url = proto_json_get_string(video, "url");
	if (!url)
		url = proto_json_get_string(item, "file_url");
	if (!url || !*url)
		return FALSE;
	a->message_id = g_strdup(message_id);
	a->url = g_strdup(url);
	a->mime_type = g_strdup(proto_json_get_string(item, "mime_type"));
	a->kind = kind_of(a->mime_type, item);
	a->name = proto_json_dup_text(item, "name");
	a->platform_id = proto_json_dup_id(item, "id");
	a->preview_url = g_strdup(proto_json_get_string(image, "preview_url"));
	a->width = small_int(image, "width");
	a->height = small_int(image, "height");
	if (proto_json_get_int(item, "size", &size) && size > 0)
		a->size = size;
	return TRUE;
}

/* The message's attachments and sticker, added after the message itself;
 * an item we cannot read marks the gap and is skipped. */
static void parse_attachments(PollParse *p, JsonObject *item, const char *message_id)
{
	JsonArray *list = proto_json_get_array(proto_json_get_object(item, "attachments"), "data");
	const char *sticker = proto_json_get_string(item, "sticker");
	guint i, n = list ? json_array_get_length(list) : 0;

	for (i = 0; i < n; i++) {
		BdmAttachment a = { 0 };

		if (read_attachment(proto_json_array_object(list, i), message_id, &a))
			proto_page_add_attachment(p->page, &a);
		else
			proto_page_set_gap(p->page);
	}
	if (sticker && *sticker) {
		BdmAttachment a = { 0 };

		a.message_id = g_strdup(message_id);
		a.kind = BDM_ATTACHMENT_STICKER;
		a.url = g_strdup(sticker);
		proto_page_add_attachment(p->page, &a);
	}
}

static gboolean has_attachments(JsonObject *item)
{
	JsonArray *list = proto_json_get_array(proto_json_get_object(item, "attachments"), "data");
	const char *sticker = proto_json_get_string(item, "sticker");

	return (list && json_array_get_length(list) > 0) || (sticker && *sticker);
}

/* Parse one message into the page.  *customer (when NULL) receives the
 * customer's id and name seen on it, for conversations without participants. */
static void parse_message(PollParse *p, JsonObject *item, const char *conversation_id,
                          char **customer, char **customer_name)
{
	JsonObject *from = proto_json_get_object(item, "from");
	BdmMessage msg = { 0 };
	char *text, *id;

	msg.id = proto_json_dup_id(item, "id");
	msg.sender_id = proto_json_dup_id(from, "id");
	if (!msg.id || !msg.sender_id) {
		/* Without an id there is no dedupe key; without a sender no
		 * direction.  Either way the host cannot show it safely. */
		bdm_message_clear(&msg);
		proto_page_set_gap(p->page);
		return;
	}
	msg.from_brand = graph_is_brand(p->flavor, p->ctx, msg.sender_id);
	msg.sender_name = g_strdup(person_name(from));
	msg.recipient_id = first_recipient(p, item, msg.from_brand);
	msg.conversation_id = g_strdup(conversation_id);
	/* Photos and stickers arrive without text: their lines say it all.
	 * Shares and other kinds we cannot fetch keep the notice. */
	text = proto_json_dup_text(item, "message");
	if (!text)
		text = g_strdup("");
	msg.text = *text || has_attachments(item) ? text :
	           g_strdup(proto_text_attachment_notice());
	if (msg.text != text)
		g_free(text);
	/* Unknown time: "when we first saw it" is the best honest estimate. */
	if (!proto_json_get_time(item, "created_time", &msg.created))
		msg.created = p->ctx->now;

	if (customer && !*customer) {
		if (!msg.from_brand) {
			*customer = g_strdup(msg.sender_id);
			*customer_name = g_strdup(msg.sender_name);
		} else if (msg.recipient_id &&
		           !graph_is_brand(p->flavor, p->ctx, msg.recipient_id)) {
			*customer = g_strdup(msg.recipient_id);
		}
	}
	id = g_strdup(msg.id);
	if (proto_page_add_message(p->page, &msg))
		parse_attachments(p, item, id);
	g_free(id);
}

static void parse_participants(PollParse *p, JsonObject *item, BdmConversation *conv)
{
	JsonArray *people = proto_json_get_array(proto_json_get_object(item, "participants"),
	                                         "data");
	guint i, n = people ? json_array_get_length(people) : 0;

	for (i = 0; i < n && !conv->customer_id; i++) {
		JsonObject *person = proto_json_array_object(people, i);
		char *id = proto_json_dup_id(person, "id");

		if (id && !graph_is_brand(p->flavor, p->ctx, id)) {
			conv->customer_id = id;
			conv->customer_name = g_strdup(person_name(person));
		} else {
			g_free(id);
		}
	}
}

static void parse_conversation(PollParse *p, JsonObject *item)
{
	BdmConversation conv = { 0 };
	JsonObject *messages;
	JsonArray *list;
	const char *nested_next;
	guint i, n;

	conv.id = proto_json_dup_id(item, "id");
	if (!conv.id) {
		proto_page_set_gap(p->page);
		return;
	}
	/* A conversation listed twice still gets its messages read: the
	 * repeat may carry ones the first listing did not. */
	parse_participants(p, item, &conv);
	if (!proto_json_get_time(item, "updated_time", &conv.updated))
		conv.updated = 0;

	messages = proto_json_get_object(item, "messages");
	list = proto_json_get_array(messages, "data");
	n = list ? json_array_get_length(list) : 0;
	for (i = 0; i < n; i++) {
		JsonObject *m = proto_json_array_object(list, i);

		if (m)
			parse_message(p, m, conv.id, &conv.customer_id, &conv.customer_name);
		else
			proto_page_set_gap(p->page);
	}
	nested_next = proto_json_get_string(proto_json_get_object(messages, "paging"), "next");
	add_link(p, nested_next);
	/* Instagram lists a conversation's newest messages only and offers no
	 * link to older ones: a full list may hide messages we never saw.
	 * The module cannot know which ones the host already has, so it flags
	 * the possibility and leaves the judgement to the host. */
	if (p->flavor->message_cap && n >= p->flavor->message_cap && !nested_next)
		proto_page_set_gap(p->page);

	if (conv.customer_id)
		proto_page_add_conversation(p->page, &conv);
	else {
		/* Nobody to reply to; its messages are still on the page. */
		g_free(conv.id);
		g_free(conv.customer_name);
	}
}

static gboolean looks_like_conversation(JsonObject *item)
{
	return json_object_has_member(item, "participants") ||
	       json_object_has_member(item, "messages") ||
	       json_object_has_member(item, "updated_time");
}

static gboolean looks_like_message(JsonObject *item)
{
	return json_object_has_member(item, "from") ||
	       json_object_has_member(item, "created_time") ||
	       json_object_has_member(item, "message");
}

/* The conversation a bare messages page belongs to, from its own links. */
static char *messages_page_owner(PollParse *p, JsonObject *paging)
{
	const char *names[] = { "next", "previous" };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(names); i++) {
		const char *link = proto_json_get_string(paging, names[i]);

		if (link && proto_url_same_origin(link, p->base)) {
			char *id = proto_url_segment_before(link, "messages");

			if (id)
				return id;
		}
	}
	return NULL;
}

int graph_parse_poll(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmPollPage *out,
                     BdmError *err)
{
	const GraphFlavor *flavor = graph_flavor(ctx, err);
	PollParse p = { flavor, ctx, NULL, NULL };
	JsonNode *root;
	JsonObject *obj, *paging;
	JsonArray *data;
	char *owner = NULL;
	guint i, n;

	if (!flavor)
		return -1;
	root = graph_check_response(flavor, resp, err);
	if (!root)
		return -1;
	obj = proto_json_object(root);
	data = proto_json_get_array(obj, "data");
	if (!data) {
		char *msg = g_strdup_printf(_("The %s conversation list has no \"data\" list."),
		                            flavor->service);

		bdm_error_set(err, BDM_ERR_MALFORMED, 0, msg);
		g_free(msg);
		json_node_unref(root);
		return -1;
	}
	p.base = proto_url_api_base(ctx, GRAPH_DEFAULT_API_BASE, err);
	if (!p.base) {
		json_node_unref(root);
		return -1;
	}
	p.page = proto_page_new();
	paging = proto_json_get_object(obj, "paging");

	n = json_array_get_length(data);
	for (i = 0; i < n; i++) {
		JsonObject *item = proto_json_array_object(data, i);

		if (item && looks_like_conversation(item)) {
			parse_conversation(&p, item);
		} else if (item && looks_like_message(item)) {
			if (!owner)
				owner = messages_page_owner(&p, paging);
			parse_message(&p, item, owner, NULL, NULL);
		} else {
			proto_page_set_gap(p.page);
		}
	}
	add_link(&p, proto_json_get_string(paging, "next"));

	proto_page_finish(p.page, 0, out);
	g_free(owner);
	g_free(p.base);
	json_node_unref(root);
	return 0;
}
