/*
 * The policy for files an agent sends, and /attach.
 *
 * The host reads the file and asks here before anything is uploaded (the
 * may_send_file hook).  Everything that holds for a text holds for a file:
 * who may send on the account, the acknowledged policy, a log that can be
 * written; then the attachment rules (type by content, size, name) for the
 * file and the text rules for its caption.  As for a text, a warning stops
 * the file until the agent gives a reason (/attach-anyway), and every block
 * and warning is logged.
 */
#include <string.h>

#include <debug.h>

#include "branddm/i18n.h"
#include "desk_internal.h"
#include "send_file.h"

typedef struct {
	char *path;
	char *caption;
	char *sha256;
	char *rules;      /* JSON array of the rule ids that warned */
} WarnedFile;

static struct {
	GHashTable *warned;    /* conversation key -> WarnedFile*: stopped by a warning */
	GHashTable *allowed;   /* conversation key -> sha256 the agent chose to send, once */
} files;

static void warned_free(gpointer p)
{
	WarnedFile *w = p;

	g_free(w->path);
	g_free(w->caption);
	g_free(w->sha256);
	g_free(w->rules);
	g_free(w);
}

/* A refusal before any rule: the gates a text passes (desk_policy.c's decide),
 * worded for a file. */
static gboolean refuse_early(BdmConn *conn, const char *who, char **why)
{
	if (!bdm_journal_writable(conn)) {
		*why = g_strdup(_("Not sent: the conversation log cannot be written, and every file "
		                  "sent must be logged. Ask your administrator."));
		return TRUE;
	}
	if (!bdm_policy_agent_may_send(bdm_desk_policy(), conn->proto->module->platform,
	                               bdm_conn_account_id(conn), bdm_desk.agent)) {
		*why = g_strdup(_("Not sent: you are not authorised to send on this account; it is "
		                  "read-only for you."));
		bdm_journal_event(conn, "block", who,
		                  "{\"verdict\":\"block\",\"findings\":[{\"rule\":"
		                  "\"agent.unauthorised\",\"severity\":\"block\"}]}", NULL);
		return TRUE;
	}
	if (!bdm_desk_policy_acknowledged()) {
		bdm_desk_policy_ask_ack(conn);
		*why = g_strdup(_("Not sent: the message policy has changed. Acknowledge it in the "
		                  "dialog that opened (or type /policy ack), then send the file again."));
		return TRUE;
	}
	return FALSE;
}

/* The log keeps which file, by name, size and content hash, and what the
 * rules said; the caption's own findings without its text (it may hold
 * what the sensitive-data rules stopped). */
static void log_file_verdict(BdmConn *conn, const char *who, const BdmFileToSend *file,
                             const BdmVerdict *fv, const BdmVerdict *cv, BdmVerdictLevel level)
{
	char *fjson = bdm_verdict_to_json(fv);
	char *cjson = cv ? bdm_verdict_to_json(cv) : g_strdup("null");
	char *name = g_strescape(file->name, NULL);
	char *detail = g_strdup_printf("{\"verdict\":\"%s\",\"file\":{\"name\":\"%s\",\"type\":"
	                               "\"%s\",\"size\":%" G_GSIZE_FORMAT ",\"sha256\":\"%s\"},"
	                               "\"attachment\":%s,\"caption\":%s}",
	                               level == BDM_VERDICT_BLOCK ? "block" : "warn", name,
	                               file->type, file->len, file->sha256, fjson, cjson);
	char *text = g_strdup_printf(_("File: %s"), file->name);

	bdm_journal_event(conn, level == BDM_VERDICT_BLOCK ? "block" : "warn", who, detail, text);
	g_free(text);
	g_free(detail);
	g_free(name);
	g_free(cjson);
	g_free(fjson);
}

static char *rule_ids(const BdmVerdict *fv, const BdmVerdict *cv)
{
	GString *s = g_string_new("[");
	const BdmVerdict *both[2] = { fv, cv };
	gboolean first = TRUE;

	for (guint k = 0; k < 2; k++) {
		if (both[k] == NULL)
			continue;
		for (guint i = 0; i < both[k]->findings->len; i++) {
			const BdmFinding *f = g_ptr_array_index(both[k]->findings, i);
			g_string_append_printf(s, "%s\"%s\"", first ? "" : ",", f->rule_id);
			first = FALSE;
		}
	}
	g_string_append_c(s, ']');
	return g_string_free(s, FALSE);
}

static char *notice_for(const BdmFileToSend *file, const BdmVerdict *fv, const BdmVerdict *cv,
                        BdmVerdictLevel level)
{
	GString *s = g_string_new(NULL);
	char *shown = g_filename_display_name(file->name);

	if (level == BDM_VERDICT_WARN)
		g_string_append_printf(s, _("⚠ Check before sending: “%s” was not sent yet."), shown);
	else
		g_string_append_printf(s, _("Not sent: “%s” breaks the message policy."), shown);
	g_string_append_c(s, '\n');
	if (fv->level != BDM_VERDICT_ALLOW) {
		char *d = bdm_verdict_describe(fv, "");
		g_string_append(s, d);
		g_free(d);
	}
	if (cv != NULL && cv->level != BDM_VERDICT_ALLOW) {
		char *d = bdm_verdict_describe(cv, file->caption);
		g_string_append_printf(s, "%s\n%s", _("In the caption:"), d);
		g_free(d);
	}
	if (level == BDM_VERDICT_WARN)
		g_string_append(s, _("To send it unchanged, type /attach-anyway followed by your "
		                     "reason."));
	g_free(shown);
	return g_strchomp(g_string_free(s, FALSE));
}

gboolean bdm_desk_may_send_file(BdmConn *conn, const char *who, const BdmFileToSend *file,
                                char **why, PurpleMessageFlags *flags)
{
	BdmAttachmentInput in = { 0 };
	BdmVerdict *fv, *cv = NULL;
	BdmVerdictLevel level;
	char *key;
	gboolean ok = FALSE;

	*flags = PURPLE_MESSAGE_ERROR;
	if (refuse_early(conn, who, why))
		return FALSE;
	in.name = file->name;
	in.head = file->data;
	in.head_len = MIN(file->len, (gsize)BDM_ATTACHMENT_HEAD);
	in.size = file->len;
	fv = bdm_policy_check_attachment(bdm_desk_policy(), &in, NULL);
	if (file->caption != NULL)
		cv = bdm_desk_policy_check(conn, who, file->caption, FALSE);
	level = MAX(fv->level, cv ? cv->level : BDM_VERDICT_ALLOW);

	key = bdm_desk_conv_key(conn->account, who);
	if (level == BDM_VERDICT_ALLOW) {
		ok = TRUE;
	} else if (level == BDM_VERDICT_WARN &&
	           g_strcmp0(g_hash_table_lookup(files.allowed, key), file->sha256) == 0) {
		g_hash_table_remove(files.allowed, key);
		ok = TRUE;
	} else {
		if (level == BDM_VERDICT_WARN) {
			WarnedFile *w = g_new0(WarnedFile, 1);

			w->path = g_strdup(file->path);
			w->caption = g_strdup(file->caption);
			w->sha256 = g_strdup(file->sha256);
			w->rules = rule_ids(fv, cv);
			g_hash_table_replace(files.warned, g_strdup(key), w);
			*flags = PURPLE_MESSAGE_SYSTEM;
		}
		*why = notice_for(file, fv, cv, level);
		log_file_verdict(conn, who, file, fv, cv, level);
	}
	g_free(key);
	bdm_verdict_free(cv);
	bdm_verdict_free(fv);
	return ok;
}

/* ---- /attach ------------------------------------------------------------- */

/* "PATH caption" or "\"PATH with spaces\" caption": the path, and where the
 * caption starts in *rest.  NULL when there is no path. */
static char *split_path(const char *args, const char **rest)
{
	const char *p = args;
	const char *end;

	while (g_ascii_isspace(*p))
		p++;
	if (*p == '"') {
		end = strchr(p + 1, '"');
		if (end == NULL || end == p + 1)
			return NULL;
		*rest = end + 1;
		return g_strndup(p + 1, end - p - 1);
	}
	end = p;
	while (*end && !g_ascii_isspace(*end))
		end++;
	if (end == p)
		return NULL;
	*rest = end;
	return g_strndup(p, end - p);
}

static PurpleCmdRet cmd_attach(PurpleConversation *conv, const gchar *cmd, gchar **args,
                               gchar **error, void *data)
{
	PurpleAccount *account = purple_conversation_get_account(conv);
	BdmConn *conn = bdm_conn_of(purple_account_get_connection(account));
	const char *rest = "";
	char *path, *caption;

	(void)cmd;
	(void)data;
	if (conn == NULL || !conn->connected) {
		*error = g_strdup(_("This account is not connected."));
		return PURPLE_CMD_RET_FAILED;
	}
	path = split_path(args[0] ? args[0] : "", &rest);
	if (path == NULL) {
		*error = g_strdup(_("Usage: /attach PATH [caption], for example /attach "
		                    "~/labels/return.pdf Your return label"));
		return PURPLE_CMD_RET_FAILED;
	}
	caption = g_strstrip(g_strdup(rest));
	bdm_send_file(conn, purple_conversation_get_name(conv), path, *caption ? caption : NULL);
	g_free(caption);
	g_free(path);
	return PURPLE_CMD_RET_OK;
}

static PurpleCmdRet cmd_attach_anyway(PurpleConversation *conv, const gchar *cmd, gchar **args,
                                      gchar **error, void *data)
{
	PurpleAccount *account = purple_conversation_get_account(conv);
	BdmConn *conn = bdm_conn_of(purple_account_get_connection(account));
	const char *who = purple_conversation_get_name(conv);
	WarnedFile *w;
	char *key, *reason, *reason_json, *detail;
	PurpleCmdRet ret = PURPLE_CMD_RET_OK;

	(void)cmd;
	(void)data;
	if (conn == NULL || !conn->connected) {
		*error = g_strdup(_("This account is not connected."));
		return PURPLE_CMD_RET_FAILED;
	}
	key = bdm_desk_conv_key(conn->account, who);
	w = g_hash_table_lookup(files.warned, key);
	if (w == NULL || w->path == NULL) {
		g_free(key);
		*error = g_strdup(_("There is no warned file to send in this conversation."));
		return PURPLE_CMD_RET_FAILED;
	}
	reason = g_strstrip(g_strdup(args[0] ? args[0] : ""));
	if (*reason == '\0') {
		g_free(reason);
		g_free(key);
		*error = g_strdup(_("Give a reason: /attach-anyway <reason>"));
		return PURPLE_CMD_RET_FAILED;
	}
	reason_json = g_strescape(reason, NULL);
	detail = g_strdup_printf("{\"rules\":%s,\"reason\":\"%s\",\"sha256\":\"%s\"}", w->rules,
	                         reason_json, w->sha256);
	if (!bdm_journal_event(conn, "override", who, detail, NULL)) {
		*error = g_strdup(_("The override could not be logged, so the file was not sent."));
		ret = PURPLE_CMD_RET_FAILED;
	} else {
		/* Taken from the table first: the check below may warn again. */
		g_hash_table_steal(files.warned, key);
		g_hash_table_replace(files.allowed, g_strdup(key), g_strdup(w->sha256));
		bdm_send_file(conn, who, w->path, w->caption);
		g_hash_table_remove(files.allowed, key);
		warned_free(w);
	}
	g_free(detail);
	g_free(reason_json);
	g_free(reason);
	g_free(key);
	return ret;
}

void bdm_desk_policy_file_init(void)
{
	files.warned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, warned_free);
	files.allowed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	bdm_desk_add_command("attach", "s", cmd_attach,
	                     _("attach PATH [caption]: send a file (a photo, a PDF) to the "
	                       "customer, checked by the message policy first; put a path with "
	                       "spaces in double quotes."));
	bdm_desk_add_command("attach-anyway", "s", cmd_attach_anyway,
	                     _("attach-anyway &lt;reason&gt;: send the file the policy warned "
	                       "about, recording your reason."));
}

void bdm_desk_policy_file_shutdown(void)
{
	g_clear_pointer(&files.warned, g_hash_table_destroy);
	g_clear_pointer(&files.allowed, g_hash_table_destroy);
}
