/*
 * Poll cycles: fetch every page, then deliver new customer messages.
 * See poller.h.
 */
#include <string.h>

#include <account.h>
#include <blist.h>
#include <conversation.h>
#include <debug.h>
#include <server.h>
#include <util.h>

#include "branddm/i18n.h"
#include "hooks.h"
#include "host_signals.h"
#include "journal.h"
#include "media.h"
#include "module_call.h"
#include "notice.h"
#include "poller.h"

#define DEBUG_CAT "branddm-poll"
#define MAX_PAGES_PER_CYCLE 500
#define MAX_BACKOFF_S 900
#define DEFAULT_RATE_LIMIT_WAIT_S 60
#define MAX_PLATFORM_WAIT_S 3600
#define DELIVER_PER_TURN 100

struct BdmPoll {
	GQueue cursors;          /* char*; NULL data = the first page */
	GPtrArray *collected;    /* BdmMessage* gathered this cycle */
	GHashTable *cycle_ids;   /* message id gathered this cycle -> its Origin */
	gboolean running;
	gboolean stop_paging;    /* newest-first module reached known messages */
	guint pages;
	guint failures;          /* consecutive failed cycles */
	gint64 not_before;       /* platform asked us to wait until then */
	gboolean gap_noted;
	guint next_delivery;     /* index into collected of the next message to show */
	guint delivered;         /* new messages shown this cycle */
	GPtrArray *showing;      /* the turn being shown (logged): NULL between turns */
	guint showing_next;      /* index in showing of the first not yet on screen */
	gboolean cycle_ok;       /* every page of this cycle arrived */
	GHashTable *media;       /* message id -> GPtrArray of BdmMedia*, this cycle's */
	BdmMediaBatch *fetching; /* downloads the cycle's delivery waits for */
};

/* Where a message of this cycle came from. */
typedef enum {
	FROM_POLL = 1,   /* this client's own poll */
	FROM_TEAM        /* a colleague's client polled it (bdm_poll_deliver) */
} Origin;

static void fetch_next_page(BdmConn *conn);

guint bdm_poll_interval(const BdmConn *conn)
{
	const BdmModule *m = conn->proto->module;
	const BdmAccountOption *o;
	int def = 30, value;

	for (o = m->options; o && o->key; o++)
		if (strcmp(o->key, "poll_interval") == 0)
			def = o->default_int;
	value = purple_account_get_int(conn->account, "poll_interval", def);
	if (value < (int)m->min_poll_interval)
		value = (int)m->min_poll_interval;
	return value < 1 ? 1 : (guint)value;
}

static void free_message(gpointer p)
{
	bdm_message_clear(p);
	g_free(p);
}

static gboolean poll_timer_cb(gpointer data);

static void schedule_next(BdmConn *conn)
{
	BdmPoll *poll = conn->poll;
	gint64 delay = bdm_poll_interval(conn);
	gint64 now = bdm_now();

	if (poll->failures > 0) {
		guint shift = MIN(poll->failures, 10u);
		delay = MIN((gint64)MAX_BACKOFF_S, delay << shift);
	}
	if (poll->not_before > now + delay)
		delay = poll->not_before - now;
	if (conn->poll_timer)
		purple_timeout_remove(conn->poll_timer);
	conn->poll_timer = purple_timeout_add_seconds((guint)delay, poll_timer_cb, conn);
}

/* Platforms publish no presence.  A customer can be written to while the
 * account is connected, so they are "available": buddy lists hide offline
 * buddies by default, and the desk's tags in the alias must stay in view. */
static void show_reachable(BdmConn *conn, const char *who)
{
	purple_prpl_got_user_status(conn->account, who, "available", NULL);
}

void bdm_poll_show_customers(BdmConn *conn)
{
	GSList *buddies = purple_find_buddies(conn->account, NULL);
	GSList *l;

	for (l = buddies; l != NULL; l = l->next)
		show_reachable(conn, purple_buddy_get_name(l->data));
	g_slist_free(buddies);
}

static void ensure_buddy(BdmConn *conn, const char *who, const char *name)
{
	PurpleBuddy *buddy = purple_find_buddy(conn->account, who);

	if (buddy == NULL) {
		const char *group_name = purple_account_get_alias(conn->account);
		char *fallback = NULL;
		PurpleGroup *group;

		if (group_name == NULL || *group_name == '\0')
			group_name = fallback = g_strdup_printf("%s %s", conn->proto->module->name,
			                                        purple_account_get_username(conn->account));
		group = purple_find_group(group_name);
		if (group == NULL) {
			group = purple_group_new(group_name);
			purple_blist_add_group(group, NULL);
		}
		buddy = purple_buddy_new(conn->account, who, NULL);
		purple_blist_add_buddy(buddy, NULL, group, NULL);
		g_free(fallback);
		show_reachable(conn, who);
	}
	if (name && *name) {
		/* The desk's badge (tags, escalation) is part of the alias: a poll
		 * must not wipe it by setting the bare name. */
		char *alias = bdm_hooks_buddy_alias(conn, who, name);
		serv_got_alias(conn->gc, who, alias);
		g_free(alias);
	}
}

static const char *customer_of(const BdmMessage *msg)
{
	if (!msg->from_brand)
		return msg->sender_id;
	return msg->recipient_id;
}

/* The name to show for a customer: what the platform said last, else the
 * sender name of this message (a brand message names the brand instead). */
static const char *name_for(BdmConn *conn, const BdmMessage *msg, const char *customer)
{
	const char *name = g_hash_table_lookup(conn->customer_names, customer);

	if (name == NULL && !msg->from_brand)
		name = msg->sender_name;
	return name;
}

/* Log one collected message into the turn's transaction; TRUE when it is
 * to be shown: new, or logged before a crash that may have kept it off screen. */
static gboolean log_one(BdmConn *conn, const BdmMessage *msg, const char *customer)
{
	const GPtrArray *media = g_hash_table_lookup(conn->poll->media, msg->id);
	BdmRecordResult rec;

	if (msg->from_brand)
		return bdm_journal_record_brand_seen(conn, msg, customer, media) == BDM_RECORD_NEW;
	rec = bdm_journal_record_incoming(conn, msg, name_for(conn, msg, customer), media);
	return rec == BDM_RECORD_NEW ||
	       (rec == BDM_RECORD_DUPLICATE && bdm_journal_interrupted(conn, msg->id));
}

/* Log the turn's new messages (collected[start..end)) in one transaction,
 * with the display marker naming the customer messages among them; returns
 * the messages to show, none when the log failed (they stay unseen and the
 * next poll brings them again).  The log comes first: what is shown is on disk. */
static GPtrArray *log_turn(BdmConn *conn, guint start, guint end)
{
	GPtrArray *collected = conn->poll->collected;
	GPtrArray *to_show = g_ptr_array_new();
	GPtrArray *marker = g_ptr_array_new();
	gboolean open = FALSE;
	guint i;

	for (i = start; i < end; i++) {
		const BdmMessage *msg = g_ptr_array_index(collected, i);
		const char *customer = customer_of(msg);

		if (customer == NULL || msg->id == NULL || bdm_journal_seen(conn, msg->id))
			continue;
		/* Idle polls find nothing new: they must not write, nor take the lock. */
		if (!open && !(open = bdm_journal_turn_begin(conn)))
			break;
		if (!log_one(conn, msg, customer))
			continue;
		g_ptr_array_add(to_show, (gpointer)msg);
		if (!msg->from_brand)
			g_ptr_array_add(marker, msg->id);
	}
	if (open && !bdm_journal_turn_commit(conn, marker))
		g_ptr_array_set_size(to_show, 0);
	g_ptr_array_free(marker, TRUE);
	return to_show;
}

/* What listeners hear of a delivered message (valid during the emission). */
static BdmDelivery delivery_of(BdmConn *conn, const BdmMessage *msg)
{
	BdmDelivery d = { 0 };

	d.platform = bdm_conn_platform(conn);
	d.account = bdm_conn_account_id(conn);
	d.customer_id = customer_of(msg);
	d.customer_name = name_for(conn, msg, d.customer_id);
	d.message_id = msg->id;
	d.text = msg->text ? msg->text : "";
	d.time = msg->created;
	d.from_brand = msg->from_brand;
	d.relayed = GPOINTER_TO_INT(g_hash_table_lookup(conn->poll->cycle_ids, msg->id)) == FROM_TEAM;
	return d;
}

/* The message's HTML: its escaped text, then a line per attachment (and
 * the safe images inline), so text and files arrive as one message, in order. */
static char *with_attachments(BdmConn *conn, const BdmMessage *msg, const char *escaped,
                              GArray *img_ids)
{
	GPtrArray *items = msg->id ? g_hash_table_lookup(conn->poll->media, msg->id) : NULL;

	if (items == NULL || items->len == 0)
		return g_strdup(escaped);
	return bdm_media_message_html(escaped, items, img_ids);
}

/* Sent by the brand from elsewhere (another agent or tool), logged: show it
 * where the conversation is open, so the agent sees the whole thread. */
static void show_outgoing(BdmConn *conn, const BdmMessage *msg)
{
	PurpleConversation *conv;
	char *escaped, *sender, *html;
	GArray *img_ids;

	conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, customer_of(msg),
	                                             conn->account);
	if (conv == NULL)
		return;
	/* "Acme (Alice Martin)" when the desk knows which colleague wrote it. */
	sender = bdm_hooks_brand_sender(conn, customer_of(msg), msg->id, msg->text);
	escaped = purple_markup_escape_text(msg->text ? msg->text : "", -1);
	img_ids = g_array_new(FALSE, FALSE, sizeof(int));
	html = with_attachments(conn, msg, escaped, img_ids);
	purple_conv_im_write(PURPLE_CONV_IM(conv),
	                     sender ? sender : purple_connection_get_display_name(conn->gc),
	                     html, PURPLE_MESSAGE_SEND | PURPLE_MESSAGE_REMOTE_SEND,
	                     (time_t)msg->created);
	bdm_media_release_images(img_ids);
	g_free(html);
	g_free(escaped);
	g_free(sender);
}

static void show_incoming(BdmConn *conn, const BdmMessage *msg)
{
	const char *customer = customer_of(msg);
	char *escaped, *html;
	GArray *img_ids;

	ensure_buddy(conn, customer, name_for(conn, msg, customer));
	/* Better shown twice than lost: say so, in case it was on screen already. */
	if (bdm_journal_maybe_repeat(conn, msg->id))
		bdm_notice(conn, customer, _("BrandDM was stopped while showing the next "
		                             "message; it is shown again and may be a "
		                             "repeat."), PURPLE_MESSAGE_SYSTEM);
	/* Customers' text is text, never markup: "<a href=…>" must show as typed. */
	escaped = purple_markup_escape_text(msg->text ? msg->text : "", -1);
	img_ids = g_array_new(FALSE, FALSE, sizeof(int));
	html = with_attachments(conn, msg, escaped, img_ids);
	serv_got_im(conn->gc, customer, html,
	            PURPLE_MESSAGE_RECV | (img_ids->len > 0 ? PURPLE_MESSAGE_IMAGES : 0),
	            msg->created > 0 ? (time_t)msg->created : (time_t)bdm_now());
	bdm_media_release_images(img_ids);
	g_free(html);
	g_free(escaped);
	bdm_journal_shown(conn, msg->id);
}

/* Show one logged message, announced before and after to the listeners
 * (the desk's reactions run on "shown"). */
static void deliver_one(BdmConn *conn, const BdmMessage *msg)
{
	BdmDelivery d = delivery_of(conn, msg);

	bdm_signals_emit_delivery(BDM_SIGNAL_MESSAGE_RECORDED, conn->account, &d);
	if (msg->from_brand)
		show_outgoing(conn, msg);
	else
		show_incoming(conn, msg);
	bdm_signals_emit_delivery(BDM_SIGNAL_MESSAGE_SHOWN, conn->account, &d);
}

static int by_time_then_id(gconstpointer a, gconstpointer b)
{
	const BdmMessage *x = *(BdmMessage *const *)a;
	const BdmMessage *y = *(BdmMessage *const *)b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return g_strcmp0(x->id, y->id);
}

static void deliver_batch(BdmConn *conn);

static gboolean deliver_more_cb(gpointer data)
{
	BdmConn *conn = data;

	conn->poll_timer = 0;
	deliver_batch(conn);
	return FALSE;
}

/* Log, then show, the next DELIVER_PER_TURN collected messages; the rest wait
 * for the next main-loop turn, so a backlog of thousands never freezes the UI. */
static void deliver_batch(BdmConn *conn)
{
	BdmPoll *poll = conn->poll;
	guint end = MIN(poll->collected->len, poll->next_delivery + DELIVER_PER_TURN);

	GPtrArray *to_show = log_turn(conn, poll->next_delivery, end);
	guint i;

	poll->next_delivery = end;
	poll->showing = to_show;
	for (i = 0; i < to_show->len; i++) {
		const BdmMessage *msg = g_ptr_array_index(to_show, i);

		poll->showing_next = i;
		deliver_one(conn, msg);
		/* The desk's reactions may have ended the connection (an auto-reply
		 * met a revoked token): the rest stay in the marker for the next login. */
		if (conn->poll == NULL)
			break;
		poll->delivered++;
	}
	if (conn->poll != NULL)
		poll->showing = NULL;
	g_ptr_array_free(to_show, TRUE);
	if (conn->poll == NULL)
		return;
	if (poll->next_delivery < poll->collected->len) {
		/* poll_timer is free while a cycle runs; bdm_poll_stop cancels it. */
		g_assert(conn->poll_timer == 0);
		conn->poll_timer = purple_timeout_add(0, deliver_more_cb, conn);
		return;
	}
	purple_debug_info(DEBUG_CAT, "%s: cycle %s, %u pages, %u messages, %u new\n",
	                  conn->proto->module->platform, poll->cycle_ok ? "complete" : "cut short",
	                  poll->pages, poll->collected->len, poll->delivered);
	g_ptr_array_set_size(poll->collected, 0);
	g_hash_table_remove_all(poll->cycle_ids);
	g_hash_table_remove_all(poll->media);
	g_queue_clear_full(&poll->cursors, g_free);
	poll->running = FALSE;
	poll->failures = poll->cycle_ok ? 0 : poll->failures + 1;
	schedule_next(conn);
}

static void deliver_cycle(BdmConn *conn)
{
	BdmPoll *poll = conn->poll;

	g_ptr_array_sort(poll->collected, by_time_then_id);
	poll->next_delivery = 0;
	poll->delivered = 0;
	deliver_batch(conn);
}

static void media_fetched(gpointer data)
{
	BdmConn *conn = data;

	conn->poll->fetching = NULL;
	deliver_cycle(conn);
}

/* The cycle's messages wait for their attachments (each download bounded
 * by the account's timeout): the log record names the saved files, and it
 * is written before anything is shown.  A "downloading…" line with a later
 * follow-up would split one message in two and put lines in the conversation
 * that the log does not have. */
static void finish_cycle(BdmConn *conn, gboolean ok)
{
	BdmPoll *poll = conn->poll;
	GPtrArray *all = g_ptr_array_new();
	GHashTableIter it;
	gpointer items;

	poll->cycle_ok = ok;
	g_hash_table_iter_init(&it, poll->media);
	while (g_hash_table_iter_next(&it, NULL, &items))
		g_ptr_array_extend(all, items, NULL, NULL);
	if (all->len == 0) {
		g_ptr_array_free(all, TRUE);
		deliver_cycle(conn);
		return;
	}
	poll->fetching = bdm_media_fetch(all, purple_account_get_int(conn->account,
	                                                             BDM_MEDIA_TIMEOUT_OPTION,
	                                                             BDM_MEDIA_TIMEOUT_DEFAULT_S),
	                                 media_fetched, conn);
	g_ptr_array_free(all, TRUE);
}

/* TRUE when msg is neither in this cycle already nor delivered before;
 * *seen (may be NULL) tells the journal knew it. */
static gboolean is_new(BdmConn *conn, const BdmMessage *msg, gboolean *seen)
{
	if (seen != NULL)
		*seen = FALSE;
	if (msg->id == NULL || g_hash_table_contains(conn->poll->cycle_ids, msg->id))
		return FALSE;
	if (bdm_journal_seen(conn, msg->id)) {
		if (seen != NULL)
			*seen = TRUE;
		return FALSE;
	}
	return TRUE;
}

/* Keep msg (taken over) for this cycle's delivery, and a customer's name
 * the platform gave with it. */
static void collect(BdmConn *conn, BdmMessage *msg, Origin origin)
{
	if (!msg->from_brand && msg->sender_id && msg->sender_name && *msg->sender_name &&
	    !g_hash_table_contains(conn->customer_names, msg->sender_id))
		g_hash_table_insert(conn->customer_names, g_strdup(msg->sender_id),
		                    g_strdup(msg->sender_name));
	g_hash_table_insert(conn->poll->cycle_ids, g_strdup(msg->id), GINT_TO_POINTER(origin));
	g_ptr_array_add(conn->poll->collected, msg);
}

static void collect_page(BdmConn *conn, BdmPollPage *page)
{
	BdmPoll *poll = conn->poll;
	const BdmModule *m = conn->proto->module;
	gboolean page_had_known = FALSE;
	GHashTable *taken = g_hash_table_new(g_str_hash, g_str_equal);
	size_t i;

	for (i = 0; i < page->n_conversations; i++) {
		BdmConversation *c = &page->conversations[i];
		if (c->customer_id && c->customer_name && *c->customer_name)
			g_hash_table_replace(conn->customer_names, g_strdup(c->customer_id),
			                     g_strdup(c->customer_name));
	}
	for (i = 0; i < page->n_messages; i++) {
		BdmMessage *msg = &page->messages[i];
		BdmMessage *copy;
		gboolean seen;

		if (!is_new(conn, msg, &seen)) {
			page_had_known = page_had_known || seen;
			continue;
		}
		/* Take ownership of the strings: the page is cleared afterwards. */
		copy = g_new(BdmMessage, 1);
		*copy = *msg;
		memset(msg, 0, sizeof(*msg));
		collect(conn, copy, FROM_POLL);
		g_hash_table_add(taken, copy->id);
	}
	/* Only the attachments of messages this page brought: a repeat's were
	 * taken with its first copy. */
	for (i = 0; i < page->n_attachments; i++) {
		const BdmAttachment *a = &page->attachments[i];
		GPtrArray *items;

		if (a->message_id == NULL || !g_hash_table_contains(taken, a->message_id))
			continue;
		items = g_hash_table_lookup(poll->media, a->message_id);
		if (items == NULL) {
			items = g_ptr_array_new_with_free_func(bdm_media_free);
			g_hash_table_insert(poll->media, g_strdup(a->message_id), items);
		}
		g_ptr_array_add(items, bdm_media_new(a));
	}
	g_hash_table_destroy(taken);
	if ((m->flags & BDM_MODULE_NEWEST_FIRST) && page_had_known)
		poll->stop_paging = TRUE;
	if (page->not_before > poll->not_before)
		poll->not_before = page->not_before;
	if (page->gap && !poll->gap_noted) {
		poll->gap_noted = TRUE;
		purple_debug_warning(DEBUG_CAT, "%s: the platform may have dropped older messages\n",
		                     m->platform);
	}
	if (!poll->stop_paging)
		for (i = 0; i < page->n_next; i++) {
			g_queue_push_tail(&poll->cursors, page->next[i]);
			page->next[i] = NULL;
		}
}

static void on_page(const BdmHttpResult *result, gpointer data)
{
	BdmConn *conn = data;
	BdmPoll *poll = conn->poll;
	BdmPollPage page = { 0 };
	BdmError err = { 0 };

	conn->ctx.now = bdm_now();
	poll->pages++;
	if (bdm_conn_result_usable(result, &err) &&
	    bdm_call_parse_poll(&conn->ctx, &result->response, &page, &err) == 0) {
		collect_page(conn, &page);
		bdm_poll_page_clear(&page);
		fetch_next_page(conn);
		return;
	}
	bdm_poll_page_clear(&page);
	purple_debug_warning(DEBUG_CAT, "%s: poll failed (class %d, code %d): %s\n",
	                     conn->proto->module->platform, err.cls, err.code,
	                     err.message ? err.message : "?");
	if (bdm_conn_fatal_error(conn, &err)) {
		bdm_error_clear(&err);
		return;
	}
	if (err.cls == BDM_ERR_RATE_LIMIT || err.retry_after > 0) {
		gint64 wait = err.retry_after > 0 ? err.retry_after : DEFAULT_RATE_LIMIT_WAIT_S;
		/* A wait of days is a skewed clock or a broken proxy, not a plan:
		 * ask again after an hour rather than never. */
		if (wait > MAX_PLATFORM_WAIT_S) {
			purple_debug_warning(DEBUG_CAT, "%s: asked to wait %" G_GINT64_FORMAT " s; "
			                     "trying again in %d s\n", conn->proto->module->platform,
			                     wait, MAX_PLATFORM_WAIT_S);
			wait = MAX_PLATFORM_WAIT_S;
		}
		poll->not_before = MAX(poll->not_before, bdm_now() + wait);
	}
	bdm_error_clear(&err);
	/* What earlier pages brought is real: deliver it, the next cycle dedupes. */
	finish_cycle(conn, FALSE);
}

static void fetch_next_page(BdmConn *conn)
{
	BdmPoll *poll = conn->poll;
	BdmRequest req = { 0 };
	BdmError err = { 0 };
	char *cursor;

	if (g_queue_is_empty(&poll->cursors) || poll->pages >= MAX_PAGES_PER_CYCLE) {
		if (!g_queue_is_empty(&poll->cursors))
			purple_debug_warning(DEBUG_CAT, "page limit reached; continuing next cycle\n");
		finish_cycle(conn, TRUE);
		return;
	}
	cursor = g_queue_pop_head(&poll->cursors);
	conn->ctx.now = bdm_now();
	if (bdm_call_build_poll(&conn->ctx, cursor, &req, &err) != 0) {
		purple_debug_error(DEBUG_CAT, "cannot build poll request: %s\n",
		                   err.message ? err.message : "?");
		bdm_error_clear(&err);
		g_free(cursor);
		/* A refused cursor (e.g. a spoofed next URL) skips that page only. */
		fetch_next_page(conn);
		return;
	}
	g_free(cursor);
	bdm_conn_http(conn, &req, on_page, conn);
	bdm_request_clear(&req);
}

static void begin_cycle(BdmConn *conn)
{
	BdmPoll *poll = conn->poll;

	if (poll->running)
		return;
	/* A colleague's client polls this account for the team: wait, and ask
	 * again next interval (it may have gone). */
	if (poll->not_before > bdm_now() || !bdm_hooks_may_poll(conn)) {
		schedule_next(conn);
		return;
	}
	g_assert(g_queue_is_empty(&poll->cursors) && poll->collected->len == 0);
	poll->running = TRUE;
	poll->stop_paging = FALSE;
	poll->pages = 0;
	g_queue_push_tail(&poll->cursors, NULL);
	fetch_next_page(conn);
}

static gboolean poll_timer_cb(gpointer data)
{
	BdmConn *conn = data;

	conn->poll_timer = 0;
	begin_cycle(conn);
	return FALSE;
}

gboolean bdm_poll_showing(const BdmConn *conn, const char *message_id)
{
	const BdmPoll *poll = conn->poll;
	guint i;

	if (poll == NULL || poll->showing == NULL || message_id == NULL)
		return FALSE;
	for (i = poll->showing_next; i < poll->showing->len; i++) {
		const BdmMessage *msg = g_ptr_array_index(poll->showing, i);

		if (g_strcmp0(msg->id, message_id) == 0)
			return TRUE;
	}
	return FALSE;
}

void bdm_poll_deliver(BdmConn *conn, GPtrArray *messages)
{
	BdmPoll *poll = conn->poll;
	guint i;

	g_assert(messages != NULL);
	if (poll == NULL) {
		g_ptr_array_unref(messages);
		return;
	}
	for (i = 0; i < messages->len; i++) {
		BdmMessage *msg = g_ptr_array_index(messages, i);

		if (is_new(conn, msg, NULL))
			collect(conn, msg, FROM_TEAM);
		else
			free_message(msg);
	}
	/* Taken over one by one: the array goes without its contents. */
	g_ptr_array_set_free_func(messages, NULL);
	g_ptr_array_unref(messages);
	/* A running cycle delivers them with its own; otherwise a cycle of
	 * delivery alone, without a request. */
	if (poll->running || poll->collected->len == 0)
		return;
	poll->running = TRUE;
	poll->pages = 0;
	if (conn->poll_timer) {
		purple_timeout_remove(conn->poll_timer);
		conn->poll_timer = 0;
	}
	finish_cycle(conn, TRUE);
}

void bdm_poll_start(BdmConn *conn)
{
	BdmPoll *poll = g_new0(BdmPoll, 1);

	g_queue_init(&poll->cursors);
	poll->collected = g_ptr_array_new_with_free_func(free_message);
	poll->cycle_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	poll->media = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                    (GDestroyNotify)g_ptr_array_unref);
	conn->poll = poll;
	begin_cycle(conn);
}

void bdm_poll_stop(BdmConn *conn)
{
	BdmPoll *poll = conn->poll;

	if (conn->poll_timer) {
		purple_timeout_remove(conn->poll_timer);
		conn->poll_timer = 0;
	}
	if (poll == NULL)
		return;
	g_queue_clear_full(&poll->cursors, g_free);
	bdm_media_batch_cancel(poll->fetching);
	g_hash_table_destroy(poll->media);
	g_ptr_array_free(poll->collected, TRUE);
	g_hash_table_destroy(poll->cycle_ids);
	g_free(poll);
	conn->poll = NULL;
}
