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
/* A per-call cache of what non-ASCII characters fold to: messages repeat
 * the same few accented letters, and folding one costs an allocation in
 * g_utf8_casefold().  Folded forms longer than CACHE_BYTES are not kept. */
#define CACHE_SLOTS 256
#define CACHE_BYTES 22

typedef struct {
	gunichar c;                 /* 0 = empty: a C string never holds U+0000 */
	guint8 len;
	char out[CACHE_BYTES];
} CacheSlot;

typedef struct {
	char *out;                  /* folded bytes, NUL-terminated when done */
	gsize *starts;              /* per folded byte: its character's first byte */
	gsize *ends;                /* per folded byte: one past its last byte */
	gsize len, cap;
	gboolean last_was_space;
	CacheSlot *cache;           /* allocated at the first non-ASCII character */
	GString *scratch;           /* the folded form of one character */
} Folder;

/* Room for more bytes and the terminating NUL. */
static void reserve(Folder *f, gsize more)
{
	if (f->len + more < f->cap)
		return;
	while (f->len + more >= f->cap)
		f->cap *= 2;
	f->out = g_realloc(f->out, f->cap);
	f->starts = g_renew(gsize, f->starts, f->cap);
	f->ends = g_renew(gsize, f->ends, f->cap);
}

static void emit(Folder *f, const char *bytes, gsize n, gsize start, gsize end)
{
	reserve(f, n);
	memcpy(f->out + f->len, bytes, n);
	for (gsize i = 0; i < n; i++) {
		f->starts[f->len + i] = start;
		f->ends[f->len + i] = end;
	}
	f->len += n;
}

/* emit() for one byte: the ASCII path, taken for almost every byte. */
static inline void emit_byte(Folder *f, char byte, gsize start, gsize end)
{
	if (f->len + 1 >= f->cap)
		reserve(f, 1);
	f->out[f->len] = byte;
	f->starts[f->len] = start;
	f->ends[f->len] = end;
	f->len++;
}

/* The folded form of one non-space character: case-folded, decomposed,
 * combining marks dropped, lower-cased; into f->scratch. */
static void fold_unichar(Folder *f, gunichar c)
{
	char utf8[6];
	char *folded = g_utf8_casefold(utf8, g_unichar_to_utf8(c, utf8));

	g_string_truncate(f->scratch, 0);
	for (const char *p = folded; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar parts[MAX_DECOMPOSITION];
		gsize n = g_unichar_fully_decompose(g_utf8_get_char(p), TRUE, parts,
		                                    MAX_DECOMPOSITION);

		for (gsize i = 0; i < n; i++)
			if (!g_unichar_ismark(parts[i]))
				g_string_append_unichar(f->scratch, g_unichar_tolower(parts[i]));
	}
	g_free(folded);
}

/* Fold one non-ASCII (or invalid, read as U+FFFD) character occupying
 * bytes [start, end). */
static void fold_char(Folder *f, gunichar c, gsize start, gsize end)
{
	CacheSlot *slot;

	if (g_unichar_isspace(c)) {
		if (!f->last_was_space)
			emit(f, " ", 1, start, end);
		f->last_was_space = TRUE;
		return;
	}
	f->last_was_space = FALSE;
	if (f->cache == NULL) {
		f->cache = g_new0(CacheSlot, CACHE_SLOTS);
		f->scratch = g_string_sized_new(CACHE_BYTES * 2);
	}
	slot = &f->cache[(c * 2654435761u) >> 24 & (CACHE_SLOTS - 1)];
	if (slot->c == c) {
		emit(f, slot->out, slot->len, start, end);
		return;
	}
	fold_unichar(f, c);
	emit(f, f->scratch->str, f->scratch->len, start, end);
	if (f->scratch->len <= CACHE_BYTES) {
		slot->c = c;
		slot->len = (guint8)f->scratch->len;
		memcpy(slot->out, f->scratch->str, f->scratch->len);
	}
}

/* ASCII, most of every message, needs none of the Unicode tables: GLib
 * folds it to its lower case and counts only these five as white space. */
static void fold(const char *text, Folder *f)
{
	const char *p = text;

	while (*p != '\0') {
		guchar b = (guchar)*p;
		gsize at = (gsize)(p - text);
		gunichar c;
		const char *next;

		if (b < 0x80) {
			if (b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f') {
				if (!f->last_was_space)
					emit_byte(f, ' ', at, at + 1);
				f->last_was_space = TRUE;
			} else {
				f->last_was_space = FALSE;
				emit_byte(f, (char)(b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b), at,
				          at + 1);
			}
			p++;
			continue;
		}
		c = g_utf8_get_char_validated(p, -1);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			c = 0xFFFD; /* one invalid byte stands for one replacement character */
			next = p + 1;
		} else {
			next = g_utf8_next_char(p);
		}
		fold_char(f, c, at, (gsize)(next - text));
		p = next;
	}
}

void bdm_folded_text_init(BdmFoldedText *ft, const char *text)
{
	Folder f = { 0 };

	text = text != NULL ? text : "";
	/* Folding rarely grows a text; reserve() doubles when it does. */
	f.cap = strlen(text) + 16;
	f.out = g_malloc(f.cap);
	f.starts = g_new(gsize, f.cap);
	f.ends = g_new(gsize, f.cap);
	fold(text, &f);
	f.out[f.len] = '\0';
	g_free(f.cache);
	if (f.scratch != NULL)
		g_string_free(f.scratch, TRUE);
	ft->len = f.len;
	ft->folded = f.out;
	ft->origin_start = f.starts;
	ft->origin_end = f.ends;
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

gboolean bdm_folded_text_find_word_from(const BdmFoldedText *ft, const char *folded_keyword,
                                        gsize from, gsize *pos)
{
	gsize klen = strlen(folded_keyword);
	gboolean word_first, word_last;
	const char *hit;

	if (klen == 0 || ft->folded == NULL || from > ft->len)
		return FALSE;
	/* A boundary only matters where the keyword itself has a word edge:
	 * "C++" may be followed directly by a letter-free "!" or not. */
	word_first = is_word_char(g_utf8_get_char(folded_keyword));
	word_last = is_word_char(g_utf8_get_char(g_utf8_find_prev_char(folded_keyword,
	                                                               folded_keyword + klen)));
	for (hit = strstr(ft->folded + from, folded_keyword); hit != NULL;
	     hit = strstr(g_utf8_next_char(hit), folded_keyword)) {
		gsize at = hit - ft->folded;

		if (word_first && word_before(ft->folded, at))
			continue;
		if (word_last && at + klen < ft->len &&
		    is_word_char(g_utf8_get_char(ft->folded + at + klen)))
			continue;
		*pos = at;
		return TRUE;
	}
	return FALSE;
}

gboolean bdm_folded_text_find_word(const BdmFoldedText *ft, const char *folded_keyword,
                                   gsize *start, gsize *end)
{
	gsize pos;

	if (!bdm_folded_text_find_word_from(ft, folded_keyword, 0, &pos))
		return FALSE;
	*start = ft->origin_start[pos];
	*end = ft->origin_end[pos + strlen(folded_keyword) - 1];
	return TRUE;
}
