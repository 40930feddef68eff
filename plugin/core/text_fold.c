/*
 * Text folding for keyword matching.
 *
 * Each character is case-folded (so "ß" matches "ss"), decomposed with the
 * compatibility mappings (so full-width "ＧＤＰＲ" and ligatures match) and
 * stripped of combining marks (so "loschen" matches "löschen").  Runs of
 * white space become one space, so "delete  my\ndata" matches "delete my
 * data".  Customers do not type the way keyword lists are written.
 */
#include <string.h>

#include "text_fold.h"

/* Enough for the longest full decomposition of one code point (18). */
#define MAX_DECOMPOSITION 32

typedef struct {
	GString *out;
	GArray *starts;
	GArray *ends;
	gboolean last_was_space;
} Folder;

static void emit(Folder *f, gunichar c, gsize start, gsize end)
{
	char buf[6];
	int n = g_unichar_to_utf8(c, buf), i;

	g_string_append_len(f->out, buf, n);
	for (i = 0; i < n; i++) {
		g_array_append_val(f->starts, start);
		g_array_append_val(f->ends, end);
	}
}

/* Fold one original character occupying bytes [start, end). */
static void fold_char(Folder *f, gunichar c, gsize start, gsize end)
{
	char utf8[6];
	char *folded;
	const char *p;

	if (g_unichar_isspace(c)) {
		if (!f->last_was_space)
			emit(f, ' ', start, end);
		f->last_was_space = TRUE;
		return;
	}
	f->last_was_space = FALSE;
	folded = g_utf8_casefold(utf8, g_unichar_to_utf8(c, utf8));
	for (p = folded; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar parts[MAX_DECOMPOSITION];
		gsize n = g_unichar_fully_decompose(g_utf8_get_char(p), TRUE, parts,
		                                    MAX_DECOMPOSITION), i;

		for (i = 0; i < n; i++)
			if (!g_unichar_ismark(parts[i]))
				emit(f, g_unichar_tolower(parts[i]), start, end);
	}
	g_free(folded);
}

static void fold(const char *text, Folder *f)
{
	const char *p = text;

	while (*p != '\0') {
		gunichar c = g_utf8_get_char_validated(p, -1);
		const char *next;

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			c = 0xFFFD; /* one invalid byte stands for one replacement character */
			next = p + 1;
		} else {
			next = g_utf8_next_char(p);
		}
		fold_char(f, c, p - text, next - text);
		p = next;
	}
}

void bdm_folded_text_init(BdmFoldedText *ft, const char *text)
{
	Folder f = { g_string_new(NULL), g_array_new(FALSE, FALSE, sizeof(gsize)),
	             g_array_new(FALSE, FALSE, sizeof(gsize)), FALSE };

	fold(text != NULL ? text : "", &f);
	ft->len = f.out->len;
	ft->folded = g_string_free(f.out, FALSE);
	ft->origin_start = (gsize *)g_array_free(f.starts, FALSE);
	ft->origin_end = (gsize *)g_array_free(f.ends, FALSE);
}

void bdm_folded_text_clear(BdmFoldedText *ft)
{
	g_free(ft->folded);
	g_free(ft->origin_start);
	g_free(ft->origin_end);
	memset(ft, 0, sizeof(*ft));
}

char *bdm_fold_keyword(const char *keyword)
{
	BdmFoldedText ft;
	char *folded;

	bdm_folded_text_init(&ft, keyword);
	folded = g_strstrip(g_strdup(ft.folded));
	bdm_folded_text_clear(&ft);
	return folded;
}

static gboolean is_word_char(gunichar c)
{
	return g_unichar_isalnum(c) || c == '_';
}

/* Is there a word character just before folded byte offset pos? */
static gboolean word_before(const char *folded, gsize pos)
{
	const char *prev;

	if (pos == 0)
		return FALSE;
	prev = g_utf8_find_prev_char(folded, folded + pos);
	return prev != NULL && is_word_char(g_utf8_get_char(prev));
}

gboolean bdm_folded_text_find_word(const BdmFoldedText *ft, const char *folded_keyword,
                                   gsize *start, gsize *end)
{
	gsize klen = strlen(folded_keyword);
	gboolean word_first, word_last;
	const char *hit;

	if (klen == 0 || ft->folded == NULL)
		return FALSE;
	/* A boundary only matters where the keyword itself has a word edge:
	 * "C++" may be followed directly by a letter-free "!" or not. */
	word_first = is_word_char(g_utf8_get_char(folded_keyword));
	word_last = is_word_char(g_utf8_get_char(g_utf8_find_prev_char(folded_keyword,
	                                                               folded_keyword + klen)));
	for (hit = strstr(ft->folded, folded_keyword); hit != NULL;
	     hit = strstr(g_utf8_next_char(hit), folded_keyword)) {
		gsize pos = hit - ft->folded;

		if (word_first && word_before(ft->folded, pos))
			continue;
		if (word_last && pos + klen < ft->len &&
		    is_word_char(g_utf8_get_char(ft->folded + pos + klen)))
			continue;
		*start = ft->origin_start[pos];
		*end = ft->origin_end[pos + klen - 1];
		return TRUE;
	}
	return FALSE;
}
