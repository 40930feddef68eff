/*
 * The built-in policy and the life cycle of a BdmPolicy.
 *
 * The defaults are meant to be safe on their own, not convenient: every
 * sensitive-data, link and outreach rule blocks, and with no allow-list
 * configured no link passes at all.  An administrator loosens them in the
 * system policy file; see docs/policy.conf.example.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "policy_private.h"

static const char *const default_shorteners[] = {
	"bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "v.gd",
	"buff.ly", "rebrand.ly", "cutt.ly", "shorturl.at", "rb.gy", "tiny.cc", "t.ly",
	"bl.ink", "lnkd.in", "s.id", "shorte.st", "adf.ly", "tr.im", "soo.gd", NULL
};

/* Short on purpose: whole words only ("ass" never fires on "class" or
 * "assistant"); a trailing '*' also takes endings ("fucking"). */
static const char *const default_offensive[] = {
	"ass", "arse", "arsehole*", "asshole*", "bastard*", "bitch*", "bollocks",
	"bullshit*", "cocksucker*", "crap", "cunt*", "dick", "dickhead*", "fuck*",
	"motherfuck*", "piss", "pissed", "shit*", "slut*", "twat*", "wanker*", "whore*",
	"idiot*", "moron*", "stupid", NULL
};

static const char *const default_promotional[] = {
	"limited time offer", "special offer", "exclusive offer", "discount code",
	"promo code", "coupon code", "buy now", "shop now", "order now", "act now",
	"subscribe now", "subscribe today", "sign up today", "don't miss out", "don’t miss out", "free gift",
	"sale ends", NULL
};

/* What an automated message must contain to say that it is automated. */
static const char *const default_disclosure[] = {
	"automated", "automatic reply", "automatic response", "auto-reply", "auto reply",
	"autoreply", "bot", "chatbot", "virtual assistant", "automatisch", "automatische",
	"automatisierte", "automatique", "automático", "automática", NULL
};

/* What customers' phones and mail clients open safely; a program never. */
static const char *const default_attach_types[] = {
	"image/png", "image/jpeg", "image/gif", "application/pdf", NULL
};

/* Files that run when opened, on Windows, macOS, Linux or Android. */
static const char *const default_attach_extensions[] = {
	"exe", "bat", "cmd", "com", "scr", "pif", "js", "jse", "vbs", "vbe", "wsf", "hta",
	"ps1", "msi", "lnk", "reg", "cpl", "sh", "jar", "apk", "app", NULL
};

static GPtrArray *list_from(const char *const *entries)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; entries != NULL && entries[i] != NULL; i++)
		g_ptr_array_add(list, g_strdup(entries[i]));
	return list;
}

BdmPolicy *bdm_policy_new_uncompiled(void)
{
	BdmPolicy *p = g_new0(BdmPolicy, 1);

	p->version = g_strdup("");
	p->source = g_strdup(_("built-in defaults"));
	for (guint i = 0; i < BDM_RULE_COUNT; i++)
		p->severity[i] = bdm_rule_info((BdmRule)i)->default_severity;
	p->lists[BDM_LIST_LINK_ALLOW] = list_from(NULL);
	p->lists[BDM_LIST_SHORTENERS] = list_from(default_shorteners);
	p->lists[BDM_LIST_EMAIL_ALLOW] = list_from(NULL);
	p->lists[BDM_LIST_PHONE_ALLOW] = list_from(NULL);
	p->lists[BDM_LIST_OFFENSIVE] = list_from(default_offensive);
	p->lists[BDM_LIST_PROMOTIONAL] = list_from(default_promotional);
	p->lists[BDM_LIST_DISCLOSURE] = list_from(default_disclosure);
	p->lists[BDM_LIST_ATTACH_TYPES] = list_from(default_attach_types);
	p->lists[BDM_LIST_ATTACH_EXTENSIONS] = list_from(default_attach_extensions);
	p->numbers[BDM_NUMBER_SHOUT_MIN_LETTERS] = 20;
	p->numbers[BDM_NUMBER_SHOUT_PERCENT] = 70;
	/* Messenger's and X's own limit for an attachment. */
	p->numbers[BDM_NUMBER_ATTACH_MAX_MB] = 25;
	p->agent_tables = g_ptr_array_new_with_free_func((GDestroyNotify)bdm_agent_table_free);
	p->notices = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(p->notices, NULL);
	return p;
}

void bdm_policy_compile(BdmPolicy *p)
{
	bdm_word_set_free(p->offensive);
	bdm_phrase_set_free(p->promotional);
	bdm_phrase_set_free(p->disclosure);
	p->offensive = bdm_word_set_new(p->lists[BDM_LIST_OFFENSIVE]);
	p->promotional = bdm_phrase_set_new(p->lists[BDM_LIST_PROMOTIONAL]);
	p->disclosure = bdm_phrase_set_new(p->lists[BDM_LIST_DISCLOSURE]);
}

BdmPolicy *bdm_policy_new_default(void)
{
	BdmPolicy *p = bdm_policy_new_uncompiled();

	bdm_policy_compile(p);
	return p;
}

void bdm_policy_free(BdmPolicy *p)
{
	if (p == NULL)
		return;
	g_free(p->version);
	g_free(p->source);
	for (guint i = 0; i < BDM_LIST_COUNT; i++)
		g_ptr_array_unref(p->lists[i]);
	g_ptr_array_unref(p->agent_tables);
	g_ptr_array_unref(p->notices);
	bdm_word_set_free(p->offensive);
	bdm_phrase_set_free(p->promotional);
	bdm_phrase_set_free(p->disclosure);
	g_free(p);
}

const char *bdm_policy_version(const BdmPolicy *p)
{
	g_return_val_if_fail(p != NULL, "");
	return p->version;
}

const char *bdm_policy_source(const BdmPolicy *p)
{
	g_return_val_if_fail(p != NULL, "");
	return p->source;
}

const char *const *bdm_policy_notices(const BdmPolicy *p)
{
	g_return_val_if_fail(p != NULL, NULL);
	return (const char *const *)p->notices->pdata;
}
