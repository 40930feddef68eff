/*
 * Reply templates, private to plugin/core/templates*.c: the text engine
 * (templates_text.c) that templates.c loads and expands with.
 */
#ifndef BRANDDM_TEMPLATES_PRIVATE_H
#define BRANDDM_TEMPLATES_PRIVATE_H

#include <glib.h>

#include "templates.h"

/* A text with its translations, for templates and for constants. */
typedef struct {
	char *text;
	GHashTable *translations; /* locale ("de", "pt_BR") -> text */
} BdmLocalized;

/* Values a placeholder can take in one expansion. */
typedef struct {
	GHashTable *constants;   /* name -> BdmLocalized */
	const BdmTemplateContext *ctx;
	const char *template_name;
	const char *locale;  /* variant chosen for the template text, NULL = untranslated */
	char *first_name;    /* computed on first use; the caller frees it */
	GPtrArray *asks;     /* set: collect {ask:} labels instead of filling them in */
} BdmTemplateValues;

/** TRUE when name[0..len) is a placeholder, constant or template name:
 *  letters, digits, ".", "_" and "-", at least one. */
gboolean bdm_template_valid_name(const char *name, gsize len);

/** The variant of l for locale (the conversation's), else for the agent's
 *  languages, else l->text; *locale_used gets the variant's key or NULL. */
const char *bdm_template_choose(const BdmLocalized *l, const char *locale,
                                const char **locale_used);

/** Walk text: with values NULL check its syntax (*problem, translated, says what is
 *  wrong; *has_ask, may be NULL, notes a question), else expand it into out. */
gboolean bdm_template_walk(const char *text, BdmTemplateValues *values, GString *out,
                           char **problem, gboolean *has_ask, GError **error);

#endif /* BRANDDM_TEMPLATES_PRIVATE_H */
