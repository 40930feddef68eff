/*
 * Reply templates: canned answers an agent inserts with /tpl, and the text
 * of the out-of-hours auto-acknowledgement.
 *
 * Templates live in key files: a system-wide library the administrator owns
 * (SYSCONFDIR "/branddm/templates.conf") and a per-user one.  One group per
 * template:
 *
 *     [template greeting]
 *     category=greeting
 *     description=First answer to a new customer
 *     text=Hello {customer.first_name}, this is {agent.name} from {brand}.
 *     text[de]=Hallo {customer.first_name}, hier ist {agent.name} von {brand}.
 *     automated=false
 *     locked=false
 *
 *     [constants]
 *     support_hours=9–17
 *
 * User templates add to the system library or replace a system template
 * whole, unless the system template (or [constants]) says locked=true.
 * Placeholders: {customer.name}, {customer.first_name}, {agent.name},
 * {brand}, {platform}, {ticket} and every key of [constants]; "{{" and "}}"
 * stand for literal braces; {ask:Order number} is a value the agent is asked
 * for when the template is used.  Expansion is all or nothing.
 * Plain C + GLib; no libpurple.
 */
#ifndef BRANDDM_TEMPLATES_H
#define BRANDDM_TEMPLATES_H

#include <glib.h>

/** Where the administrator's template library lives. */
#define BDM_SYSTEM_TEMPLATES_PATH SYSCONFDIR "/branddm/templates.conf"

typedef struct BdmTemplates BdmTemplates;

#define BDM_TEMPLATE_ERROR (bdm_template_error_quark())

/** Why a template could not be expanded. */
typedef enum {
	BDM_TEMPLATE_ERROR_UNKNOWN_TEMPLATE,    /* no template of that name */
	BDM_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER, /* {name} is neither built in nor a constant */
	BDM_TEMPLATE_ERROR_MISSING_VALUE,       /* known placeholder, but no value yet */
	BDM_TEMPLATE_ERROR_NOT_AUTOMATED,       /* auto-reply with a template not marked automated */
	BDM_TEMPLATE_ERROR_SYNTAX,              /* unbalanced brace (loading refuses these first) */
	BDM_TEMPLATE_ERROR_UNANSWERED           /* {ask:LABEL} without the agent's answer */
} BdmTemplateError;

/** The longest label an {ask:LABEL} placeholder may have, in characters. */
#define BDM_TEMPLATE_ASK_LABEL_MAX 64

/** The GError domain of BdmTemplateError.
 *  Loading errors use BDM_CONF_ERROR (conf_file.h) instead. */
GQuark bdm_template_error_quark(void);

/** Values for the placeholders; NULL (or "") means "not known".  locale is
 *  the conversation's language ("de", "pt_BR"), NULL to use the agent's;
 *  answers maps an {ask:LABEL} label to what the agent typed (NULL: none). */
typedef struct {
	const char *customer_name;
	const char *agent_name;
	const char *brand;
	const char *platform;
	const char *ticket;
	const char *locale;
	GHashTable *answers;
} BdmTemplateContext;

/** Load and merge the system and user libraries (either may be NULL or absent:
 *  the library may be empty).  A broken file: NULL, error naming file and line. */
BdmTemplates *bdm_templates_load(const char *system_path, const char *user_path,
                                 GError **error);

/** Release a library; NULL is allowed.
 *  Strings returned by the accessors die with it. */
void bdm_templates_free(BdmTemplates *templates);

/** Sorted names of the templates whose name or category starts with prefix
 *  (ASCII case-insensitive; NULL or "" lists all).  Free with g_ptr_array_unref. */
GPtrArray *bdm_templates_list(const BdmTemplates *templates, const char *prefix);

/** The category of template name, or NULL when there is no such template.
 *  A template without category= has the category "general". */
const char *bdm_template_category(const BdmTemplates *templates, const char *name);

/** The description of template name, or NULL when it has none.
 *  Shown next to the name when the agent lists templates. */
const char *bdm_template_description(const BdmTemplates *templates, const char *name);

/** TRUE when template name says automated=true: its text declares itself an
 *  automated message, so it may be sent without an agent (auto-replies). */
gboolean bdm_template_is_automated(const BdmTemplates *templates, const char *name);

/** Expand template name.  The text variant follows ctx->locale if set (else
 *  the agent's g_get_language_names()); *locale_used gets its locale ("de") or
 *  NULL for the untranslated text.  Plain text; NULL + error, never partial text. */
char *bdm_template_expand(const BdmTemplates *templates, const char *name,
                          const BdmTemplateContext *ctx, char **locale_used,
                          GError **error);

/** The labels of the {ask:LABEL} placeholders of the text ctx chooses for template
 *  name, in order, each once (maybe none; free with g_ptr_array_unref).  NULL +
 *  error when the template cannot be filled in anyway, so nobody is asked in vain. */
GPtrArray *bdm_template_asks(const BdmTemplates *templates, const char *name,
                             const BdmTemplateContext *ctx, GError **error);

/** Expand the auto-reply template name like bdm_template_expand(), but refuse
 *  (BDM_TEMPLATE_ERROR_NOT_AUTOMATED) a template not marked automated=true. */
char *bdm_template_expand_automated(const BdmTemplates *templates, const char *name,
                                    const BdmTemplateContext *ctx, char **locale_used,
                                    GError **error);

#endif /* BRANDDM_TEMPLATES_H */
