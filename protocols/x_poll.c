/*
 * X dm_events pages.
 *
 * One list of DM events, newest first, across all conversations; user
 * names come separately in includes.users.  Only MessageCreate events are
 * messages (ParticipantsJoin/Leave are not).  A one-to-one conversation id
 * is "{smaller id}-{larger id}", so the customer is the half that is not
 * the brand; group conversations cannot be answered through
 * /dm_conversations/with/{participant} and are left out.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "proto_http.h"
#include "proto_json.h"
#include "proto_page.h"
#include "proto_text.h"
#include "x.h"

typedef struct {
	const BdmAccountCtx *ctx;
	const char *own_id;
	GHashTable *names;          /* user id -> display name (borrowed from JSON) */
	GHashTable *media;          /* media_key -> JsonObject * (borrowed from JSON) */
	GHashTable *conversations;  /* conversation id -> BdmConversation * */
	GPtrArray *order;           /* BdmConversation *, in first-seen order */
	ProtoPage *page;
} XParse;

static void conversation_free(gpointer data)
{
	BdmConversation *conv = data;

	g_free(conv->id);
	g_free(conv->customer_id);
	g_free(conv->customer_name);
	g_free(conv);
}

static void read_users(XParse *p, JsonObject *root)
{
	JsonArray *users = proto_json_get_array(proto_json_get_object(root, "includes"), "users");
	guint i, n = users ? json_array_get_length(users) : 0;

	for (i = 0; i < n; i++) {
		JsonObject *user = proto_json_array_object(users, i);
		const char *id = proto_json_get_string(user, "id");
		const char *name = proto_json_get_string(user, "name");

		if (!name || !*name)
			name = proto_json_get_string(user, "username");
		if (id && *id && name && *name)
			g_hash_table_replace(p->names, (gpointer)id, (gpointer)name);
	}
}

static void read_media(XParse *p, JsonObject *root)
{
	JsonArray *media = proto_json_get_array(proto_json_get_object(root, "includes"), "media");
	guint i, n = media ? json_array_get_length(media) : 0;

	for (i = 0; i < n; i++) {
		JsonObject *item = proto_json_array_object(media, i);
		const char *key = proto_json_get_string(item, "media_key");

		if (key && *key)
			g_hash_table_replace(p->media, (gpointer)key, item);
	}
}

/* A video's best playable variant: the highest bit rate of video/mp4. */
static const char *best_variant(JsonObject *item, const char **mime)
{
	JsonArray *variants = proto_json_get_array(item, "variants");
	guint i, n = variants ? json_array_get_length(variants) : 0;
	const char *best = NULL;
	gint64 best_rate = -1;

	for (i = 0; i < n; i++) {
		JsonObject *v = proto_json_array_object(variants, i);
		const char *type = proto_json_get_string(v, "content_type");
		const char *url = proto_json_get_string(v, "url");
		gint64 rate = 0;

		if (!url || !*url || g_strcmp0(type, "video/mp4") != 0)
			continue;
		if (!proto_json_get_int(v, "bit_rate", &rate))
			rate = 0;
		if (rate > best_rate) {
			best = url;
			best_rate = rate;
			*mime = type;
		}
	}
	return best;
}

static int small_int(JsonObject *obj, const char *name)
{
	gint64 v = 0;

	if (!proto_json_get_int(obj, name, &v) || v <= 0 || v > G_MAXINT)
		return 0;
	return (int)v;
}

/* X serves DM media from ton.twitter.com only to user-signed (OAuth 1.0a)
 * requests: an OAuth 2 bearer is refused, so the host shows the link. */
static gboolean needs_user_auth(const char *url)
{
	return g_str_has_prefix(url, "https://ton.twitter.com/") ||
	       g_str_has_prefix(url, "https://ton.x.com/");
}

/* Attachments of one event, joined with includes.media; a key with no
 * media item (or one without a link) marks the gap. */
static void parse_attachments(XParse *p, JsonObject *event, const char *message_id)
{
	JsonArray *keys = proto_json_get_array(proto_json_get_object(event, "attachments"),
	                                       "media_keys");
	guint i, n = keys ? json_array_get_length(keys) : 0;

	for (i = 0; i < n; i++) {
		JsonNode *node = json_array_get_element(keys, i);
		const char *key = JSON_NODE_HOLDS_VALUE(node) &&
		                  json_node_get_value_type(node) == G_TYPE_STRING ?
		                  json_node_get_string(node) : NULL;
		JsonObject *item = key ? g_hash_table_lookup(p->media, key) : NULL;
		const char *type = proto_json_get_string(item, "type");
		const char *url = proto_json_get_string(item, "url"), *mime = NULL;
		BdmAttachment a = { 0 };

		if (g_strcmp0(type, "video") == 0 || g_strcmp0(type, "animated_gif") == 0) {
			url = best_variant(item, &mime);
			a.kind = BDM_ATTACHMENT_VIDEO;
		} else {
			a.kind = BDM_ATTACHMENT_IMAGE;
		}
		if (!url || !*url) {
			proto_page_set_gap(p->page);
			continue;
		}
		a.message_id = g_strdup(message_id);
		a.url = g_strdup(url);
		a.mime_type = g_strdup(mime);
		a.platform_id = g_strdup(key);
		a.preview_url = g_strdup(proto_json_get_string(item, "preview_image_url"));
		a.width = small_int(item, "width");
		a.height = small_int(item, "height");
		a.flags = needs_user_auth(url) ? BDM_ATTACHMENT_NEEDS_USER_AUTH : 0;
		proto_page_add_attachment(p->page, &a);
	}
}

/* The other half of a one-to-one conversation id, or NULL when the id is
 * not "{a}-{b}" with the brand as one of a and b. */
static char *customer_of(const XParse *p, const char *conversation_id)
{
	const char *dash = strchr(conversation_id, '-');
	char *first, *result = NULL;

	if (!dash || dash == conversation_id || !dash[1] || strchr(dash + 1, '-'))
		return NULL;
	first = g_strndup(conversation_id, (gsize)(dash - conversation_id));
	if (strcmp(first, p->own_id) == 0 && strcmp(dash + 1, p->own_id) != 0)
		result = g_strdup(dash + 1);
	else if (strcmp(dash + 1, p->own_id) == 0 && strcmp(first, p->own_id) != 0)
		result = g_strdup(first);
	g_free(first);
	return result;
}

static void note_conversation(XParse *p, const char *id, const char *customer, long long created)
{
	BdmConversation *conv = g_hash_table_lookup(p->conversations, id);

	if (!conv) {
		conv = g_new0(BdmConversation, 1);
		conv->id = g_strdup(id);
		conv->customer_id = g_strdup(customer);
		conv->customer_name = g_strdup(g_hash_table_lookup(p->names, customer));
		g_hash_table_insert(p->conversations, conv->id, conv);
		g_ptr_array_add(p->order, conv);
	}
	if (created > conv->updated)
		conv->updated = created;
}

static void parse_event(XParse *p, JsonObject *event)
{
	const char *type = proto_json_get_string(event, "event_type");
	const char *conversation = proto_json_get_string(event, "dm_conversation_id");
	BdmMessage msg = { 0 };
	JsonArray *keys = proto_json_get_array(proto_json_get_object(event, "attachments"),
	                                       "media_keys");
	char *customer, *text, *id;

	/* Joins and leaves are events, not messages. */
	if (type && strcmp(type, "MessageCreate") != 0)
		return;
	msg.id = proto_json_dup_id(event, "id");
	msg.sender_id = proto_json_dup_id(event, "sender_id");
	if (!msg.id || !msg.sender_id || !conversation || !*conversation) {
		bdm_message_clear(&msg);
		proto_page_set_gap(p->page);
		return;
	}
	customer = customer_of(p, conversation);
	if (!customer) {
		g_debug("branddm: skipping X event %s of group conversation %s", msg.id, conversation);
		bdm_message_clear(&msg);
		return;
	}
	msg.from_brand = strcmp(msg.sender_id, p->own_id) == 0;
	msg.recipient_id = g_strdup(msg.from_brand ? customer : p->own_id);
	msg.sender_name = g_strdup(g_hash_table_lookup(p->names, msg.sender_id));
	msg.conversation_id = g_strdup(conversation);
	text = proto_json_dup_text(event, "text");
	if (!text)
		text = g_strdup("");
	msg.text = *text || (keys && json_array_get_length(keys) > 0) ? text :
	           g_strdup(proto_text_attachment_notice());
	if (msg.text != text)
		g_free(text);
	/* Unknown time: "when we first saw it" is the best honest estimate. */
	if (!proto_json_get_time(event, "created_at", &msg.created))
		msg.created = p->ctx->now;
	note_conversation(p, conversation, customer, msg.created);
	g_free(customer);
	id = g_strdup(msg.id);
	if (proto_page_add_message(p->page, &msg))
		parse_attachments(p, event, id);
	g_free(id);
}

/* X says how many requests are left; at zero the host must wait for reset. */
static long long not_before(const BdmResponse *resp)
{
	long long remaining, reset;

	if (proto_header_int(resp, "x-rate-limit-remaining", &remaining) && remaining <= 0 &&
	    proto_header_int(resp, "x-rate-limit-reset", &reset) && reset > resp->now)
		return reset;
	return 0;
}

int x_parse_poll(const BdmAccountCtx *ctx, const BdmResponse *resp,
                 BdmPollPage *out, BdmError *err)
{
	XParse p = { ctx, x_own_id(ctx), NULL, NULL, NULL, NULL, NULL };
	JsonNode *root;
	JsonObject *obj;
	JsonArray *data;
	guint i, n;

	if (!p.own_id)
		return bdm_error_set(err, BDM_ERR_INVALID, 0,
		                     _("The X account has no user id; enter the numeric "
		                       "user id as the username."));
	root = x_check_response(resp, err);
	if (!root)
		return -1;
	obj = proto_json_object(root);
	data = proto_json_get_array(obj, "data");
	if ((!data && json_object_has_member(obj, "data")) ||
	    (!data && !proto_json_get_object(obj, "meta"))) {
		bdm_error_set(err, BDM_ERR_MALFORMED, 0,
		              _("The X response has no list of direct message events."));
		json_node_unref(root);
		return -1;
	}
	p.names = g_hash_table_new(g_str_hash, g_str_equal);
	p.conversations = g_hash_table_new(g_str_hash, g_str_equal);
	p.order = g_ptr_array_new_with_free_func(conversation_free);
	p.page = proto_page_new();
	p.media = g_hash_table_new(g_str_hash, g_str_equal);
	read_users(&p, obj);
	read_media(&p, obj);

	n = data ? json_array_get_length(data) : 0;
	for (i = 0; i < n; i++) {
		JsonObject *event = proto_json_array_object(data, i);

		if (event)
			parse_event(&p, event);
		else
			proto_page_set_gap(p.page);
	}
	for (i = 0; i < p.order->len; i++)
		proto_page_add_conversation(p.page, g_ptr_array_index(p.order, i));
	proto_page_add_next(p.page, proto_json_get_string(proto_json_get_object(obj, "meta"),
	                                                  "next_token"));
	proto_page_finish(p.page, not_before(resp), out);

	g_hash_table_destroy(p.conversations);
	g_ptr_array_free(p.order, TRUE);
	g_hash_table_destroy(p.names);
	g_hash_table_destroy(p.media);
	json_node_unref(root);
	return 0;
}
