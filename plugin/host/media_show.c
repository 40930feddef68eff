/*
 * The lines that tell the agent about a message's attachments.  See media.h.
 *
 * Everything here came from a customer or a CDN: names, types and links are
 * markup-escaped before they join the message's HTML.
 */
#include <string.h>

#include <imgstore.h>

#include "branddm/i18n.h"
#include "media.h"

static const char *kind_word(BdmAttachmentKind kind)
{
	switch (kind) {
	case BDM_ATTACHMENT_IMAGE:
		return _("photo");
	case BDM_ATTACHMENT_VIDEO:
		return _("video");
	case BDM_ATTACHMENT_AUDIO:
		return _("audio");
	case BDM_ATTACHMENT_STICKER:
		return _("sticker");
	case BDM_ATTACHMENT_FILE:
	default:
		return _("file");
	}
}

/* Declared "image/..." but the content is not an image (or the reverse):
 * worth saying, since the customer's name for it is not to be trusted. */
static gboolean type_mismatch(const BdmMedia *m)
{
	const char *slash;

	if (m->declared_type == NULL || m->type == NULL || *m->declared_type == '\0')
		return FALSE;
	slash = strchr(m->type, '/');
	return slash && g_ascii_strncasecmp(m->declared_type, m->type, slash - m->type + 1) != 0;
}

static void append_escaped(GString *out, const char *text)
{
	char *esc = g_markup_escape_text(text, -1);

	g_string_append(out, esc);
	g_free(esc);
}

static void append_saved(GString *out, const BdmMedia *m, const char *label, GArray *img_ids)
{
	char *size = g_format_size(m->size);
	char *line;

	if (m->inline_data != NULL) {
		gsize len = 0;
		gconstpointer data = g_bytes_get_data(m->inline_data, &len);
		int id = purple_imgstore_add_with_id(g_memdup2(data, len), len, m->name);

		if (id > 0) {
			g_array_append_val(img_ids, id);
			g_string_append_printf(out, "<br><img id=\"%d\">", id);
		}
	}
	line = g_strdup_printf(_("Attachment %s (%s, %s), saved as %s"), label, m->type, size,
	                       m->path);
	g_string_append(out, "<br>");
	append_escaped(out, line);
	g_free(line);
	if (type_mismatch(m)) {
		line = g_strdup_printf(_("(declared as %s)"), m->declared_type);
		g_string_append_c(out, ' ');
		append_escaped(out, line);
		g_free(line);
	}
	if (m->reason) {
		g_string_append(out, "; ");
		append_escaped(out, m->reason);
	}
	g_free(size);
}

char *bdm_media_html(const GPtrArray *items, GArray *img_ids)
{
	GString *out = g_string_new(NULL);
	guint i;

	for (i = 0; i < items->len; i++) {
		const BdmMedia *m = g_ptr_array_index(items, i);
		char *label = m->name ? g_strdup_printf("“%s”", m->name) : g_strdup(kind_word(m->kind));
		char *line = NULL;

		if (m->kind == BDM_ATTACHMENT_STICKER && m->inline_data == NULL) {
			/* A sticker is a picture or nothing: no file line for it. */
			g_string_append(out, "<br>");
			append_escaped(out, _("[sticker]"));
		} else if (m->state == BDM_MEDIA_SAVED) {
			append_saved(out, m, label, img_ids);
		} else if (m->state == BDM_MEDIA_LINK_ONLY) {
			line = g_strdup_printf(_("Attachment %s was not fetched: %s. Link: %s"), label,
			                       m->reason, m->url ? m->url : "?");
		} else {
			line = g_strdup_printf(_("Attachment %s was not saved: %s."), label,
			                       m->reason ? m->reason : _("the download did not finish"));
		}
		if (line) {
			g_string_append(out, "<br>");
			append_escaped(out, line);
			g_free(line);
		}
		g_free(label);
	}
	return g_string_free(out, FALSE);
}

char *bdm_media_message_html(const char *escaped_text, const GPtrArray *items,
                             GArray *img_ids)
{
	char *lines = bdm_media_html(items, img_ids);
	char *html;

	/* Each line comes after a <br>: without text the first one opens the message. */
	if (*escaped_text == '\0' && g_str_has_prefix(lines, "<br>"))
		html = g_strdup(lines + strlen("<br>"));
	else
		html = g_strconcat(escaped_text, lines, NULL);
	g_free(lines);
	return html;
}

void bdm_media_release_images(GArray *img_ids)
{
	guint i;

	for (i = 0; i < img_ids->len; i++)
		purple_imgstore_unref_by_id(g_array_index(img_ids, int, i));
	g_array_free(img_ids, TRUE);
}

static void add_string(JsonBuilder *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	json_builder_set_member_name(b, name);
	json_builder_add_string_value(b, value);
}

void bdm_media_detail_add(JsonBuilder *b, const GPtrArray *items)
{
	static const char *const kinds[] = { "file", "image", "video", "audio", "sticker" };
	guint i;

	json_builder_set_member_name(b, "attachments");
	json_builder_begin_array(b);
	for (i = 0; i < items->len; i++) {
		const BdmMedia *m = g_ptr_array_index(items, i);

		json_builder_begin_object(b);
		add_string(b, "kind", (guint)m->kind < G_N_ELEMENTS(kinds) ? kinds[m->kind] : "file");
		add_string(b, "name", m->name);
		add_string(b, "type", m->type);
		add_string(b, "declared_type", m->declared_type);
		if (m->state == BDM_MEDIA_SAVED) {
			json_builder_set_member_name(b, "size");
			json_builder_add_int_value(b, (gint64)m->size);
		}
		add_string(b, "sha256", m->state == BDM_MEDIA_SAVED ? m->sha256 : NULL);
		add_string(b, "platform_id", m->platform_id);
		json_builder_set_member_name(b, "saved");
		json_builder_add_boolean_value(b, m->state == BDM_MEDIA_SAVED);
		add_string(b, "reason", m->reason);
		/* A link only for what the agent must open elsewhere: signed CDN
		 * links expire and are not worth keeping. */
		add_string(b, "url", m->state == BDM_MEDIA_LINK_ONLY ? m->url : NULL);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}
