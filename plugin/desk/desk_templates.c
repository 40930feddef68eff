/*
 * Reply templates in a conversation: /tpl lists, inserts and sends them,
 * /tpl-lang sets the conversation's language.  See desk_features.h.
 *
 * An inserted template goes into the compose box (the "branddm-compose"
 * conversation data and the "branddm-compose-insert" signal) so the agent
 * can edit it; `/tpl NAME send` sends it through purple_conv_im_send, so the
 * policy checks it like anything typed.  The log row of a sent message names
 * the template only when the text that went out is exactly the expansion.
 */
#include <string.h>

#include <account.h>
#include <cmds.h>
#include <conversation.h>
#include <debug.h>
#include <signals.h>
#include <util.h>

#include "branddm/i18n.h"
#include "desk_features.h"

/* Expansions remembered per conversation, newest first: enough for an agent
 * who inserts a few before sending one, bounded for one who never sends. */
#define REMEMBERED_PER_CONV 4

typedef struct {
	char *name;
	char *text;   /* as send.c will see it: markup-stripped and trimmed */
} Inserted;

static struct {
	GHashTable *inserted;   /* BdmDeskConv* (the cache's) -> GQueue of Inserted* */
	char *taken;            /* the name bdm_desk_take_template last returned */
} tpl;

static void inserted_free(gpointer p)
{
	Inserted *i = p;
	g_free(i->name);
	g_free(i->text);
	g_free(i);
}

static void queue_free(gpointer p)
{
	g_queue_free_full(p, inserted_free);
}

/* What send.c makes of text typed as it is: escaped by the entry, then
 * stripped of markup and trimmed. */
static char *as_sent(const char *text)
{
	char *escaped = purple_markup_escape_text(text, -1);
	char *plain = purple_markup_strip_html(escaped);

	g_free(escaped);
	return g_strstrip(plain);
}

void bdm_desk_template_remember(BdmDeskConv *conv, const char *name, const char *text)
{
	GQueue *queue = g_hash_table_lookup(tpl.inserted, conv);
	Inserted *i = g_new0(Inserted, 1);

	if (queue == NULL) {
		queue = g_queue_new();
		g_hash_table_insert(tpl.inserted, conv, queue);
	}
	i->name = g_strdup(name);
	i->text = as_sent(text);
	g_queue_push_head(queue, i);
	while (g_queue_get_length(queue) > REMEMBERED_PER_CONV)
		inserted_free(g_queue_pop_tail(queue));
}

const char *bdm_desk_take_template(BdmConn *conn, const char *customer_id, const char *text)
{
	BdmDeskConv *conv;
	GQueue *queue;
	GList *l;

	if (text == NULL || tpl.inserted == NULL)
		return NULL;
	conv = bdm_desk_conv_of(conn, customer_id);
	queue = g_hash_table_lookup(tpl.inserted, conv);
	for (l = queue ? queue->head : NULL; l != NULL; l = l->next) {
		Inserted *i = l->data;
		if (strcmp(i->text, text) != 0)
			continue;
		/* Kept until the next call: the caller writes it to the log first. */
		g_free(tpl.taken);
		tpl.taken = g_steal_pointer(&i->name);
		inserted_free(i);
		g_queue_delete_link(queue, l);
		return tpl.taken;
	}
	return NULL;
}

/* What conv's placeholders stand for (borrowed: valid until conv changes). */
static void fill_context(BdmTemplateContext *ctx, BdmConn *conn, BdmDeskConv *conv)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->customer_name = bdm_desk_conv_customer_name(conv, conn);
	ctx->agent_name = bdm_desk_agent_name();
	ctx->brand = bdm_desk_config_brand(bdm_desk_config());
	ctx->platform = conv->platform;
	ctx->ticket = conv->ticket;
	ctx->locale = conv->language;
}

char *bdm_desk_template_expand(BdmConn *conn, BdmDeskConv *conv, const char *name,
                               gboolean automated, char **locale_used, GError **error)
{
	BdmTemplateContext ctx;

	fill_context(&ctx, conn, conv);
	if (automated)
		return bdm_template_expand_automated(bdm_desk_templates(), name, &ctx, locale_used,
		                                     error);
	return bdm_template_expand(bdm_desk_templates(), name, &ctx, locale_used, error);
}

void bdm_desk_send_as_agent(PurpleConversation *conv, const char *text)
{
	/* Typed text reaches purple_conv_im_send escaped, as the UIs' entries do it. */
	char *escaped = purple_markup_escape_text(text, -1);

	purple_conv_im_send(PURPLE_CONV_IM(conv), escaped);
	g_free(escaped);
}

static void list_templates(PurpleConversation *conv, const char *prefix)
{
	const BdmTemplates *lib = bdm_desk_templates();
	GPtrArray *names = bdm_templates_list(lib, prefix);
	GString *text = g_string_new(NULL);
	guint i;

	g_string_append(text, _("Templates (type /tpl NAME to insert one, /tpl NAME send to send "
	                        "it as is):"));
	if (names->len == 0)
		g_string_append_printf(text, "\n%s", _("No templates are configured."));
	for (i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		const char *description = bdm_template_description(lib, name);
		g_string_append_printf(text, "\n%s (%s)%s%s", name, bdm_template_category(lib, name),
		                       description ? " — " : "", description ? description : "");
	}
	bdm_notice_write(conv, text->str, PURPLE_MESSAGE_SYSTEM);
	g_string_free(text, TRUE);
	g_ptr_array_unref(names);
}

/* send: the agent asked to send it as is (the policy may still stop it). */
static void log_template(BdmConn *conn, BdmDeskConv *conv, const char *name, const char *locale,
                         gboolean send)
{
	char *detail = bdm_desk_json_detail("s:name", name, "s:locale", locale, "b:send", send,
	                                    NULL);
	bdm_journal_event(conn, "template", conv->customer, detail, NULL);
	g_free(detail);
}

static void insert_into_compose(PurpleConversation *conv, const char *name, const char *text)
{
	char *notice;

	bdm_desk_compose_put(conv, text);
	notice = g_strdup_printf(_("Template “%s” is in the message box, ready to edit and send:\n"
	                           "%s\n(Type /tpl %s send to send it as is.)"), name, text, name);
	bdm_notice_write(conv, notice, PURPLE_MESSAGE_SYSTEM);
	g_free(notice);
}

/* The conversation a template is used in, with its connection (NULL when
 * offline); NULL and a refusal in *error when it cannot be used there. */
static BdmDeskConv *use_conv(PurpleConversation *pconv, gboolean send, BdmConn **conn,
                             char **error)
{
	PurpleAccount *account = purple_conversation_get_account(pconv);
	BdmDeskConv *conv = bdm_desk_conv_of_account(account, purple_conversation_get_name(pconv));

	*conn = bdm_conn_of(purple_account_get_connection(account));
	if (conv == NULL) {
		*error = g_strdup(_("Templates work in BrandDM conversations only."));
		return NULL;
	}
	if (send && *conn == NULL) {
		*error = g_strdup(_("This account is not connected."));
		return NULL;
	}
	return conv;
}

/* Fill template name in with answers (the agent's to its {ask:}, or NULL)
 * and put it into the compose box or send it; FALSE and *error if refused. */
static gboolean finish_use(PurpleConversation *pconv, const char *name, gboolean send,
                           GHashTable *answers, char **error)
{
	BdmTemplateContext ctx;
	BdmConn *conn;
	BdmDeskConv *conv = use_conv(pconv, send, &conn, error);
	GError *err = NULL;
	char *locale = NULL, *text;

	if (conv == NULL)
		return FALSE;
	fill_context(&ctx, conn, conv);
	ctx.answers = answers;
	/* All or nothing: an unknown placeholder is the agent's problem to fix,
	 * never a "{order.id}" in front of a customer. */
	text = bdm_template_expand(bdm_desk_templates(), name, &ctx, &locale, &err);
	if (text == NULL) {
		*error = g_strdup_printf(_("Template not used: %s"), err->message);
		g_error_free(err);
		return FALSE;
	}
	bdm_desk_template_remember(conv, name, text);
	log_template(conn, conv, name, locale, send);
	/* The answers are the agent's text: sent, they pass the policy like typing. */
	if (send)
		bdm_desk_send_as_agent(pconv, text);
	else
		insert_into_compose(pconv, name, text);
	g_free(text);
	g_free(locale);
	return TRUE;
}

/* A template that waited for the agent's answers. */
typedef struct {
	char *name;
	gboolean send;
} AskedUse;

static void asked_use_free(gpointer p)
{
	AskedUse *use = p;

	g_free(use->name);
	g_free(use);
}

static void on_answered(PurpleConversation *pconv, GHashTable *answers, gpointer data)
{
	AskedUse *use = data;
	char *message = NULL;

	if (answers == NULL) {
		message = g_strdup_printf(_("Template “%s” not used: cancelled."), use->name);
		bdm_notice_write(pconv, message, PURPLE_MESSAGE_SYSTEM);
	} else if (!finish_use(pconv, use->name, use->send, answers, &message)) {
		bdm_notice_write(pconv, message, PURPLE_MESSAGE_ERROR);
	}
	g_free(message);
}

static PurpleCmdRet use_template(PurpleConversation *pconv, const char *name, gboolean send,
                                 gchar **error)
{
	BdmTemplateContext ctx;
	BdmConn *conn;
	BdmDeskConv *conv = use_conv(pconv, send, &conn, error);
	AskedUse *use;
	GError *err = NULL;
	GPtrArray *asks;

	if (conv == NULL)
		return PURPLE_CMD_RET_FAILED;
	fill_context(&ctx, conn, conv);
	/* Refused before the dialog when it would be refused after it. */
	asks = bdm_template_asks(bdm_desk_templates(), name, &ctx, &err);
	if (asks == NULL) {
		*error = g_strdup_printf(_("Template not used: %s"), err->message);
		g_error_free(err);
		return PURPLE_CMD_RET_FAILED;
	}
	if (asks->len == 0) {
		g_ptr_array_unref(asks);
		return finish_use(pconv, name, send, NULL, error) ? PURPLE_CMD_RET_OK
		                                                  : PURPLE_CMD_RET_FAILED;
	}
	use = g_new0(AskedUse, 1);
	use->name = g_strdup(name);
	use->send = send;
	if (!bdm_desk_template_ask(pconv, name, asks, send, on_answered, use, asked_use_free)) {
		*error = g_strdup_printf(_("Template “%s” asks for values, and this client cannot "
		                           "show the dialog."), name);
		g_ptr_array_unref(asks);
		return PURPLE_CMD_RET_FAILED;
	}
	g_ptr_array_unref(asks);
	return PURPLE_CMD_RET_OK;
}

/* The words of a command line, empty ones (repeated spaces) dropped. */
static char **split_words(const char *line)
{
	char **parts = g_strsplit_set(line ? line : "", " \t", -1);
	guint i, n = 0;

	for (i = 0; parts[i]; i++) {
		if (*parts[i] == '\0')
			g_free(parts[i]);
		else
			parts[n++] = parts[i];
	}
	parts[n] = NULL;
	return parts;
}

static PurpleCmdRet cmd_tpl(PurpleConversation *conv, const gchar *cmd, gchar **args,
                            gchar **error, void *data)
{
	char **words = split_words(args[0]);
	const char *first = words[0];
	const char *second = first ? words[1] : NULL;
	PurpleCmdRet ret = PURPLE_CMD_RET_OK;
	char *message = NULL;

	(void)cmd;
	(void)data;
	if (first != NULL && words[1] != NULL && words[2] != NULL) {
		*error = g_strdup(_("Usage: /tpl [PREFIX | NAME [send] | reload]"));
		ret = PURPLE_CMD_RET_FAILED;
	} else if (first == NULL) {
		list_templates(conv, NULL);
	} else if (strcmp(first, "reload") == 0 && second == NULL) {
		bdm_desk_templates_reload(&message);
		bdm_notice_write(conv, message, PURPLE_MESSAGE_SYSTEM);
	} else if (second != NULL && strcmp(second, "send") != 0) {
		*error = g_strdup_printf(_("Usage: /tpl %s send — “%s” is not an option."), first,
		                         second);
		ret = PURPLE_CMD_RET_FAILED;
	} else if (bdm_template_category(bdm_desk_templates(), first) != NULL) {
		ret = use_template(conv, first, second != NULL, error);
	} else if (second != NULL) {
		*error = g_strdup_printf(_("There is no template “%s”. Type /tpl to list them."), first);
		ret = PURPLE_CMD_RET_FAILED;
	} else {
		GPtrArray *matches = bdm_templates_list(bdm_desk_templates(), first);
		if (matches->len == 0) {
			*error = g_strdup_printf(_("No template is called or starts with “%s”. Type /tpl "
			                           "to list them."), first);
			ret = PURPLE_CMD_RET_FAILED;
		} else {
			list_templates(conv, first);
		}
		g_ptr_array_unref(matches);
	}
	g_free(message);
	g_strfreev(words);
	return ret;
}

/* "de", "pt_BR", "de-AT", "sr_RS@latin": what a locale name can look like. */
static gboolean looks_like_locale(const char *s)
{
	gsize n = 0;

	while (g_ascii_isalpha(s[n]))
		n++;
	if (n < 2 || n > 3)
		return FALSE;
	for (; s[n]; n++)
		if (!g_ascii_isalnum(s[n]) && !strchr("_-.@", s[n]))
			return FALSE;
	return n <= 32;
}

/* Store the conversation's template language (NULL: the agent's own);
 * FALSE, nothing changed, when the store refused it. */
static gboolean set_language(BdmDeskConv *conv, const char *lang, GError **error)
{
	g_free(conv->language);
	conv->language = g_strdup(lang);
	if (bdm_desk_conv_save(conv, BDM_CONV_LANGUAGE, error))
		return TRUE;
	bdm_desk_conv_reload(conv);
	return FALSE;
}

static PurpleCmdRet cmd_tpl_lang(PurpleConversation *pconv, const gchar *cmd, gchar **args,
                                 gchar **error, void *data)
{
	PurpleAccount *account = purple_conversation_get_account(pconv);
	BdmDeskConv *conv = bdm_desk_conv_of_account(account, purple_conversation_get_name(pconv));
	char *lang = g_strstrip(g_strdup(args[0] ? args[0] : ""));
	gboolean clear = strcmp(lang, "auto") == 0;
	GError *err = NULL;
	char *text;

	(void)cmd;
	(void)data;
	if (conv == NULL) {
		g_free(lang);
		*error = g_strdup(_("Templates work in BrandDM conversations only."));
		return PURPLE_CMD_RET_FAILED;
	}
	if (*lang == '\0') {
		text = conv->language
			? g_strdup_printf(_("Templates in this conversation use the language “%s”."),
			                  conv->language)
			: g_strdup(_("Templates in this conversation use your own language. Set the "
			             "customer's with /tpl-lang LANGUAGE (e.g. de, pt_BR)."));
	} else if (!clear && !looks_like_locale(lang)) {
		*error = g_strdup_printf(_("“%s” is not a language code: use e.g. de, es, pt_BR, or "
		                           "auto for your own language."), lang);
		g_free(lang);
		return PURPLE_CMD_RET_FAILED;
	} else if (!set_language(conv, clear ? NULL : lang, &err)) {
		*error = g_strdup_printf(_("The language could not be saved: %s"), err->message);
		g_error_free(err);
		g_free(lang);
		return PURPLE_CMD_RET_FAILED;
	} else {
		text = clear ? g_strdup(_("Templates in this conversation use your own language again."))
		             : g_strdup_printf(_("Templates in this conversation now use the language "
		                                 "“%s” where a translation exists."), lang);
	}
	bdm_notice_write(pconv, text, PURPLE_MESSAGE_SYSTEM);
	g_free(text);
	g_free(lang);
	return PURPLE_CMD_RET_OK;
}

void bdm_desk_templates_init(void)
{
	tpl.inserted = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, queue_free);
	bdm_desk_add_command("tpl", "s", cmd_tpl,
	                     _("tpl [PREFIX | NAME [send] | reload]: list templates, put one into "
	                       "the message box, send it as is, or reload the template files."));
	bdm_desk_add_command("tpl-lang", "s", cmd_tpl_lang,
	                     _("tpl-lang [LANGUAGE | auto]: the language templates use in this "
	                       "conversation (e.g. de, pt_BR)."));
}

void bdm_desk_templates_shutdown(void)
{
	bdm_desk_template_ask_close(NULL);
	if (tpl.inserted)
		g_hash_table_destroy(tpl.inserted);
	g_free(tpl.taken);
	memset(&tpl, 0, sizeof(tpl));
}
