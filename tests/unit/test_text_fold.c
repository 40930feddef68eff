/*
 * Text folding (plugin/core/text_fold.c): the folded text and the origin
 * of every folded byte must stay exactly what the first, simple version
 * computed, which is kept below as the reference.  Checked for every
 * Unicode code point, for seeded random mixes of ASCII, white space,
 * multi-byte characters and invalid bytes, and on hand-picked examples;
 * then whole-word matching on top of it.
 */
#include <string.h>
#include <glib.h>

#include "text_fold.h"

/* ---- the reference: the original per-character implementation ---------- */

typedef struct {
	GString *out;
	GArray *starts;
	GArray *ends;
	gboolean last_was_space;
} RefFolder;

static void ref_emit(RefFolder *f, gunichar c, gsize start, gsize end)
{
	char buf[6];
	int n = g_unichar_to_utf8(c, buf), i;

	g_string_append_len(f->out, buf, n);
	for (i = 0; i < n; i++) {
		g_array_append_val(f->starts, start);
		g_array_append_val(f->ends, end);
	}
}

static void ref_fold_char(RefFolder *f, gunichar c, gsize start, gsize end)
{
	char utf8[6];
	char *folded;
	const char *p;

	if (g_unichar_isspace(c)) {
		if (!f->last_was_space)
			ref_emit(f, ' ', start, end);
		f->last_was_space = TRUE;
		return;
	}
	f->last_was_space = FALSE;
	folded = g_utf8_casefold(utf8, g_unichar_to_utf8(c, utf8));
	for (p = folded; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar parts[32];
		gsize n = g_unichar_fully_decompose(g_utf8_get_char(p), TRUE, parts, 32), i;

		for (i = 0; i < n; i++)
			if (!g_unichar_ismark(parts[i]))
				ref_emit(f, g_unichar_tolower(parts[i]), start, end);
	}
	g_free(folded);
}

static void ref_fold(const char *text, BdmFoldedText *ft)
{
	RefFolder f = { g_string_new(NULL), g_array_new(FALSE, FALSE, sizeof(gsize)),
	                g_array_new(FALSE, FALSE, sizeof(gsize)), FALSE };
	const char *p = text;

	while (*p != '\0') {
		gunichar c = g_utf8_get_char_validated(p, -1);
		const char *next;

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			c = 0xFFFD;
			next = p + 1;
		} else {
			next = g_utf8_next_char(p);
		}
		ref_fold_char(&f, c, p - text, next - text);
		p = next;
	}
	ft->len = f.out->len;
	ft->folded = g_string_free(f.out, FALSE);
	ft->origin_start = (gsize *)g_array_free(f.starts, FALSE);
	ft->origin_end = (gsize *)g_array_free(f.ends, FALSE);
}

/* ---- comparing ------------------------------------------------------------ */

/* Fold text both ways; report the first difference with its position. */
static void assert_same_as_reference(const char *text, const char *what)
{
	BdmFoldedText got, want;

	bdm_folded_text_init(&got, text);
	ref_fold(text, &want);
	if (got.len != want.len || memcmp(got.folded, want.folded, want.len + 1) != 0)
		g_error("%s: folded text differs (%" G_GSIZE_FORMAT " vs %" G_GSIZE_FORMAT
		        " bytes)", what, got.len, want.len);
	for (gsize i = 0; i < want.len; i++) {
		if (got.origin_start[i] != want.origin_start[i] ||
		    got.origin_end[i] != want.origin_end[i])
			g_error("%s: origin of folded byte %" G_GSIZE_FORMAT " differs: "
			        "[%" G_GSIZE_FORMAT ",%" G_GSIZE_FORMAT ") vs [%" G_GSIZE_FORMAT
			        ",%" G_GSIZE_FORMAT ")", what, i, got.origin_start[i],
			        got.origin_end[i], want.origin_start[i], want.origin_end[i]);
	}
	bdm_folded_text_clear(&got);
	bdm_folded_text_clear(&want);
}

static void test_every_code_point(void)
{
	GString *s = g_string_new(NULL);
	guint chunks = 0;

	/* In chunks, each code point after an ASCII letter or, every few, after
	 * white space: the space-run state crosses characters. */
	for (gunichar c = 1; c <= 0x10FFFF; c++) {
		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		g_string_append_unichar(s, c);
		g_string_append_c(s, c % 7 == 0 ? ' ' : 'x');
		if (s->len > 8192 || c == 0x10FFFF) {
			/* Twice: the second copy is folded from the per-call cache,
			 * where colliding characters have evicted each other. */
			g_string_append(s, s->str);
			assert_same_as_reference(s->str, "code point chunk");
			g_string_truncate(s, 0);
			chunks++;
		}
	}
	g_assert_cmpuint(chunks, >, 100);
	g_string_free(s, TRUE);
}

static void test_random_mixes(void)
{
	static const char *const pieces[] = {
		"a", "Z", " ", "  ", "\t", "\n", "\r\n", "\f", "\v", "_", "-", "+", "9",
		"ß", "ẞ", "İ", "ŉ", "ǰ", "ΐ", "ﬀ", "ﬃ", "Å", "Å", "é", "é", "Ö",
		"ＧＤＰＲ", "\xe3\x80\x80" /* ideographic space */, "\xc2\xa0" /* no-break */,
		"\xe2\x80\xa8", "注文", "🙂", "ﷺ", "㎏", "Ⅻ", "\x80", "\xc3", "\xff",
		"\xe2\x82", "\xf0\x9f\x99", "\xed\xa0\x80" /* surrogate */, "\xc0\xaf",
	};
	GRand *rand = g_rand_new_with_seed(4242);

	for (guint round = 0; round < 3000; round++) {
		GString *s = g_string_new(NULL);
		guint n = g_rand_int_range(rand, 0, 40);

		for (guint i = 0; i < n; i++)
			g_string_append(s, pieces[g_rand_int_range(rand, 0, G_N_ELEMENTS(pieces))]);
		assert_same_as_reference(s->str, "random mix");
		g_string_free(s, TRUE);
	}
	g_rand_free(rand);
}

static void assert_folds_to(const char *text, const char *expected)
{
	BdmFoldedText ft;

	bdm_folded_text_init(&ft, text);
	g_assert_cmpstr(ft.folded, ==, expected);
	g_assert_cmpuint(ft.len, ==, strlen(expected));
	bdm_folded_text_clear(&ft);
	assert_same_as_reference(text, text);
}

static void test_examples(void)
{
	assert_folds_to("Löschen  MEINE", "loschen meine");
	assert_folds_to("Straße", "strasse");
	assert_folds_to("ＧＤＰＲ", "gdpr");
	assert_folds_to("ﬁle", "file");
	assert_folds_to("delete\n\t my\r\ndata", "delete my data");
	assert_folds_to("  lead and trail  ", " lead and trail ");
	assert_folds_to("a\xffz", "a\xef\xbf\xbdz");
	assert_folds_to("", "");
	/* A near miss: a vertical tab is no white space to GLib. */
	assert_folds_to("a\vb", "a\vb");
}

static void test_origins(void)
{
	BdmFoldedText ft;

	/* "ß" (2 bytes) becomes "ss": both folded bytes point at it. */
	bdm_folded_text_init(&ft, "aßb");
	g_assert_cmpstr(ft.folded, ==, "assb");
	g_assert_cmpuint(ft.origin_start[1], ==, 1);
	g_assert_cmpuint(ft.origin_end[1], ==, 3);
	g_assert_cmpuint(ft.origin_start[2], ==, 1);
	g_assert_cmpuint(ft.origin_end[2], ==, 3);
	g_assert_cmpuint(ft.origin_start[3], ==, 3);
	g_assert_cmpuint(ft.origin_end[3], ==, 4);
	bdm_folded_text_clear(&ft);

	/* A run of white space folds to one space that points at its first character. */
	bdm_folded_text_init(&ft, "a \t\nb");
	g_assert_cmpstr(ft.folded, ==, "a b");
	g_assert_cmpuint(ft.origin_start[1], ==, 1);
	g_assert_cmpuint(ft.origin_end[1], ==, 2);
	g_assert_cmpuint(ft.origin_start[2], ==, 4);
	bdm_folded_text_clear(&ft);

	/* NULL is the empty text, and clearing twice is safe. */
	bdm_folded_text_init(&ft, NULL);
	g_assert_cmpuint(ft.len, ==, 0);
	g_assert_cmpstr(ft.folded, ==, "");
	bdm_folded_text_clear(&ft);
	bdm_folded_text_clear(&ft);
	g_assert_null(ft.folded);
}

static void test_keyword(void)
{
	char *k = bdm_fold_keyword("  Meine   DATEN löschen ");

	g_assert_cmpstr(k, ==, "meine daten loschen");
	g_free(k);
	k = bdm_fold_keyword(" \t ");
	g_assert_cmpstr(k, ==, "");
	g_free(k);
}

/* Where folded_keyword is found in text as a whole word, as "start-end",
 * or "none". */
static char *find(const char *text, const char *keyword)
{
	BdmFoldedText ft;
	char *folded = bdm_fold_keyword(keyword), *where;
	gsize start = 0, end = 0;

	bdm_folded_text_init(&ft, text);
	if (bdm_folded_text_find_word(&ft, folded, &start, &end))
		where = g_strdup_printf("%" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT, start, end);
	else
		where = g_strdup("none");
	bdm_folded_text_clear(&ft);
	g_free(folded);
	return where;
}

static void assert_find(const char *text, const char *keyword, const char *expected)
{
	char *where = find(text, keyword);

	if (strcmp(where, expected) != 0)
		g_error("\"%s\" in \"%s\": %s, expected %s", keyword, text, where, expected);
	g_free(where);
}

static void test_find_word(void)
{
	assert_find("Please BUY  now!", "buy now", "7-15");
	assert_find("please unsubscribe me", "subscribe", "none");
	assert_find("subscribe_me", "subscribe", "none");
	assert_find("subscribed", "subscribe", "none");
	assert_find("x subscribe, y", "subscribe", "2-11");
	/* The span is in the original text: "Ö" is two bytes. */
	assert_find("Die Bestellung: LÖSCHEN bitte", "loschen", "16-24");
	/* Only a keyword's word edges need a boundary: "c++" may touch "!". */
	assert_find("I like C++!", "c++", "7-10");
	assert_find("I like C++x", "c++", "7-10");
	assert_find("I like xC++", "c++", "none");
	/* The second occurrence counts when the first is inside a word. */
	assert_find("bots and a bot", "bot", "11-14");
	assert_find("", "bot", "none");
	assert_find("anything", "", "none");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/text_fold/every_code_point", test_every_code_point);
	g_test_add_func("/text_fold/random_mixes", test_random_mixes);
	g_test_add_func("/text_fold/examples", test_examples);
	g_test_add_func("/text_fold/origins", test_origins);
	g_test_add_func("/text_fold/keyword", test_keyword);
	g_test_add_func("/text_fold/find_word", test_find_word);
	return g_test_run();
}
