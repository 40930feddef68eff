/*
 * Language rules: offensive words and shouting.
 *
 * Offensive words are matched against whole tokens, so "ass" fires on "ass"
 * and "@$$" but never on "class", "assistant" or "Scunthorpe".  A token is
 * a run of letters, digits, combining marks and the characters '$', '@',
 * '!', '#', '*' and '¢', lower-cased and with accents removed ("bìtçh" is
 * "bitch"); the symbols belong to words because people write "$hit", "@ss",
 * "d!ck" and "f*ck".  '!' at either end of a token is punctuation, and so
 * are stars on both ends ("*really*" is emphasis, not masked letters).  A
 * token matches a word when it can be read as that word with
 *   - leetspeak: 4 @ -> a, 3 -> e, 1 ! -> i (1 also l), 0 -> o, 5 $ -> s,
 *     7 -> t, ¢ -> c, v -> u;
 *   - masking: '*' and '#' stand for any letter ("f*ck", "f**k", "d!#k"),
 *     or for nothing ("s*h*i.t");
 *   - stretching: a letter repeated at least twice more than the word has
 *     it ("fuuuck", "asssss"); once more is an ordinary spelling, and
 *     "shiitake" is not "shit..."; never fewer ("as" is not "ass");
 *   - separating: tokens joined by runs of dots, dashes or underscores
 *     ("f.u.c.k", "f-u-c----k", "c__unt", "s.hit"; a lone one may also
 *     stand for a letter: "f.ck"), or one-letter tokens joined by single
 *     spaces, the last of one or two ("f u c k", "a ss"), are read as one.
 * Masking is limited: at most half of the word's letters may be stars, and
 * a token must contain a letter, '@' or '$', so "****" and the number
 * "455" are not words.  A few real words that begin like a word of the list
 * are never read as it ("shitake", the town of Bitche).
 */
#include <string.h>

#include "branddm/i18n.h"
#include "policy_private.h"

#define MAX_WORD_RUNS 32      /* letters in a configured word, repeats counted once */
#define MAX_JOINED 6          /* tokens read as one word ("f.u.c.k" is four) */
#define MAX_TOKEN_CHARS 64    /* longer tokens are no words we know */
#define NO_MATCH 1000

typedef struct {
	gunichar letter[MAX_WORD_RUNS];
	guint8 count[MAX_WORD_RUNS];   /* "ass" is a x1, s x2 */
	guint runs;
	guint letters;                 /* sum of count */
	gboolean prefix;               /* "fuck*": any ending */
} WordPattern;

struct BdmWordSet {
	GArray *words;   /* WordPattern */
	/* Bit s0 * 128 + s1: some word can begin with the ASCII characters s0
	 * s1 (see reads_as_word).  Most tokens of a message fail this test,
	 * so only the rare candidate is tried against every word. */
	guint8 ascii_pairs[128 * 128 / 8];
};

typedef struct {
	gsize start, end;     /* bytes in the text */
	guint first, len;     /* characters in Tokens.chars */
	gboolean has_letter;  /* at least one real letter (not "455") */
	guint8 gap;           /* what separates it from the previous token (GAP_*) */
} Token;

enum {
	GAP_WIDE = 0,     /* anything else: the tokens are separate words */
	GAP_SPACE,        /* one space */
	GAP_DOT,          /* one dot, dash or underscore: a separator, or a masked letter */
	GAP_PUNCT         /* a run of dots, dashes and underscores */
};

/* Real words that begin like a word of the list ("shit*", "bitch*"). */
static const char *const innocent_words[] = { "shitake", "shittim", "bitche", NULL };

/* Sized for the text up front: a text of len bytes has at most len
 * characters and (len + 1) / 2 tokens, so nothing grows while scanning. */
typedef struct {
	Token *tokens;
	guint n_tokens;
	gunichar *chars;  /* lower-cased */
	guint n_chars;
} Tokens;

/* ---- tokens ------------------------------------------------------------- */

static inline gboolean is_token_char(gunichar c)
{
	if (c < 0x80)
		return g_ascii_isalnum((char)c) || c == '$' || c == '@' || c == '*' || c == '!' ||
		       c == '#';
	return g_unichar_isalnum(c) || g_unichar_ismark(c) || c == 0xa2;
}

/* "ì" -> 'i', "ç" -> 'c': the base letter when it is ASCII. */
static gunichar fold_accent(gunichar c)
{
	gunichar base[4];

	if (c == 0xa2)
		return c;
	if (g_unichar_fully_decompose(c, FALSE, base, G_N_ELEMENTS(base)) > 1 && base[0] < 0x80)
		return base[0];
	return c;
}

/* Close the token that began at byte start / character first: drop the
 * '*' at its ends and keep it when something is left. */
static void end_token(Tokens *tokens, const char *text, gsize start, gsize end, guint first)
{
	const gunichar *chars = tokens->chars;
	Token t = { start, end, first, tokens->n_chars - first, FALSE, GAP_WIDE };
	gboolean emphasis = t.len > 2 && chars[t.first] == '*' && chars[t.first + t.len - 1] == '*';

	while (t.len > 0 && (chars[t.first] == '!' || (emphasis && chars[t.first] == '*'))) {
		t.first++;
		t.len--;
		t.start++;
	}
	while (t.len > 0 && (chars[t.first + t.len - 1] == '!' ||
	                     (emphasis && chars[t.first + t.len - 1] == '*'))) {
		t.len--;
		t.end--;
	}
	/* A token of nothing but stars is a rating or a footnote. */
	for (guint i = 0; i < t.len && chars[t.first + i] == '*'; i++) {
		if (i == t.len - 1)
			t.len = 0;
	}
	if (t.len == 0) {
		tokens->n_chars = first;
		return;
	}
	for (guint i = 0; i < t.len && !t.has_letter; i++) {
		gunichar c = chars[t.first + i];

		/* "@$$" has no letter but is no number either. */
		t.has_letter = c < 0x80 ? g_ascii_isalpha((char)c) || c == '@' || c == '$' :
		                          g_unichar_isalpha(c);
	}
	if (tokens->n_tokens > 0) {
		const Token *prev = &tokens->tokens[tokens->n_tokens - 1];
		gsize k = prev->end;

		if (t.start == k + 1 && text[k] == ' ')
			t.gap = GAP_SPACE;
		else if (t.start == k + 1 && strchr(".-_", text[k]) != NULL)
			t.gap = GAP_DOT;
		else {
			while (k < t.start && strchr(".-_", text[k]) != NULL)
				k++;
			t.gap = k == t.start && t.start > prev->end ? GAP_PUNCT : GAP_WIDE;
		}
	}
	tokens->tokens[tokens->n_tokens++] = t;
}

static void tokens_init(Tokens *tokens, const char *text, gsize len)
{
	const char *p = text, *end = text + len;
	gboolean in_token = FALSE;
	gsize start = 0;
	guint first = 0;

	tokens->tokens = g_new(Token, len / 2 + 1);
	tokens->n_tokens = 0;
	tokens->chars = g_new(gunichar, len + 1);
	tokens->n_chars = 0;
	for (; p < end; p = g_utf8_next_char(p)) {
		gunichar c = (guchar)*p < 0x80 ? (gunichar)*p : g_utf8_get_char(p);

		if (is_token_char(c)) {
			if (!in_token) {
				in_token = TRUE;
				start = (gsize)(p - text);
				first = tokens->n_chars;
			}
			if (c < 0x80)
				c = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
			else
				c = fold_accent(g_unichar_tolower(c));
			tokens->chars[tokens->n_chars++] = c;
		} else if (in_token) {
			end_token(tokens, text, start, (gsize)(p - text), first);
			in_token = FALSE;
		}
	}
	if (in_token)
		end_token(tokens, text, start, len, first);
}

static void tokens_clear(Tokens *tokens)
{
	g_free(tokens->tokens);
	g_free(tokens->chars);
}

/* ---- compiling ---------------------------------------------------------- */

static gboolean word_compile(const char *entry, WordPattern *w)
{
	gsize len = strlen(entry);
	const char *p, *end;

	memset(w, 0, sizeof(*w));
	if (len > 0 && entry[len - 1] == '*') {
		w->prefix = TRUE;
		len--;
	}
	if (len == 0 || !g_utf8_validate(entry, (gssize)len, NULL))
		return FALSE;
	end = entry + len;
	for (p = entry; p < end; p = g_utf8_next_char(p)) {
		gunichar c = g_unichar_tolower(g_utf8_get_char(p));

		if (!g_unichar_isalpha(c))
			return FALSE;
		if (w->runs > 0 && w->letter[w->runs - 1] == c && w->count[w->runs - 1] < G_MAXUINT8) {
			w->count[w->runs - 1]++;
		} else {
			if (w->runs == MAX_WORD_RUNS)
				return FALSE;
			w->letter[w->runs] = c;
			w->count[w->runs] = 1;
			w->runs++;
		}
		w->letters++;
	}
	/* A one-letter word would flag every "a" or "I". */
	return w->letters >= 2;
}

gboolean bdm_word_is_valid(const char *entry)
{
	WordPattern w;

	return word_compile(entry, &w);
}

static void index_ascii_pairs(BdmWordSet *set);

BdmWordSet *bdm_word_set_new(const GPtrArray *words)
{
	BdmWordSet *set = g_new0(BdmWordSet, 1);

	set->words = g_array_new(FALSE, FALSE, sizeof(WordPattern));
	for (guint i = 0; i < words->len; i++) {
		WordPattern w;

		if (word_compile(g_ptr_array_index(words, i), &w))
			g_array_append_val(set->words, w);
	}
	index_ascii_pairs(set);
	return set;
}

void bdm_word_set_free(BdmWordSet *set)
{
	if (set == NULL)
		return;
	g_array_free(set->words, TRUE);
	g_free(set);
}

/* ---- matching ----------------------------------------------------------- */

/* Can the text character t be read as the letter c? */
static inline gboolean reads_as(gunichar t, gunichar c)
{
	if (t == c || t == '*' || t == '#')
		return TRUE;
	switch (t) {
	case '!':
		return c == 'i';
	case 0xa2:
		return c == 'c';
	case 'v':
		return c == 'u';
	case '4':
	case '@':
		return c == 'a';
	case '3':
		return c == 'e';
	case '1':
		return c == 'i' || c == 'l';
	case '0':
		return c == 'o';
	case '5':
	case '$':
		return c == 's';
	case '7':
		return c == 't';
	}
	return FALSE;
}

/* Can a token that begins with s0 s1 read as w?  s1 either stretches the
 * first run or begins the second (a one-run word has at least two letters
 * in it).  A necessary condition only: word_match_cost() decides. */
static inline gboolean may_begin(const WordPattern *w, gunichar s0, gunichar s1)
{
	return reads_as(s0, w->letter[0]) &&
	       (reads_as(s1, w->letter[0]) || (w->runs > 1 && reads_as(s1, w->letter[1])));
}

static void index_ascii_pairs(BdmWordSet *set)
{
	memset(set->ascii_pairs, 0, sizeof(set->ascii_pairs));
	for (guint i = 0; i < set->words->len; i++) {
		const WordPattern *w = &g_array_index(set->words, WordPattern, i);

		for (gunichar s0 = 0; s0 < 128; s0++) {
			if (!reads_as(s0, w->letter[0]))
				continue;
			for (gunichar s1 = 0; s1 < 128; s1++) {
				guint bit = s0 * 128 + s1;

				if (may_begin(w, s0, s1))
					set->ascii_pairs[bit / 8] |= (guint8)(1u << (bit % 8));
			}
		}
	}
}

/* The fewest runs of w that only stars stand for, when the token s[0..n)
 * reads as w; NO_MATCH when it does not.  best[i][j]: s[i..] against runs
 * j.. of w, filled from the end (each run takes at least count letters). */
static guint word_match_cost(const WordPattern *w, const gunichar *s, guint n)
{
	guint best[MAX_TOKEN_CHARS + 1][MAX_WORD_RUNS + 1];

	for (guint i = 0; i <= n; i++)
		best[i][w->runs] = (i == n || w->prefix) ? 0 : NO_MATCH;
	for (guint j = w->runs; j-- > 0;) {
		for (guint i = 0; i <= n; i++) {
			gboolean only_stars = TRUE;
			guint cost = NO_MATCH;

			for (guint m = 1; i + m <= n && reads_as(s[i + m - 1], w->letter[j]); m++) {
				only_stars = only_stars && (s[i + m - 1] == '*' || s[i + m - 1] == '#');
				if ((m == w->count[j] || m >= w->count[j] + 2u) &&
				    best[i + m][j + 1] != NO_MATCH)
					cost = MIN(cost, best[i + m][j + 1] + (only_stars ? 1 : 0));
			}
			best[i][j] = cost;
		}
	}
	return best[0][0];
}

static gboolean reads_as_word_exactly(const BdmWordSet *set, const gunichar *s, guint n);

/* Does s[0..n) read as one of the configured words, with its '*', '#'
 * and '!' as letters or, failing that, as separators ("s*h*it", "Bi!tches")? */
static gboolean reads_as_word(const BdmWordSet *set, const gunichar *s, guint n)
{
	gunichar bare[MAX_TOKEN_CHARS];
	guint m = 0;

	if (reads_as_word_exactly(set, s, n))
		return TRUE;
	for (guint i = 0; i < n && i < MAX_TOKEN_CHARS; i++) {
		if (s[i] != '*' && s[i] != '#' && s[i] != '!')
			bare[m++] = s[i];
	}
	return m < n && m >= 2 && reads_as_word_exactly(set, bare, m);
}

static gboolean reads_as_word_exactly(const BdmWordSet *set, const gunichar *s, guint n)
{
	if (n < 2 || n > MAX_TOKEN_CHARS)
		return FALSE;
	if (s[0] < 128 && s[1] < 128) {
		guint bit = s[0] * 128 + s[1];

		if (!(set->ascii_pairs[bit / 8] & (1u << (bit % 8))))
			return FALSE;
	}
	for (guint i = 0; i < set->words->len; i++) {
		const WordPattern *w = &g_array_index(set->words, WordPattern, i);
		guint cost;

		if (n < w->letters || !may_begin(w, s[0], s[1]))
			continue;
		cost = word_match_cost(w, s, n);
		if (cost != NO_MATCH && cost * 2 <= w->runs)
			return TRUE;
	}
	return FALSE;
}

static void report_offensive(BdmScan *scan, gsize start, gsize end)
{
	bdm_scan_report(scan, BDM_RULE_LANGUAGE_OFFENSIVE, start, end,
	                g_strdup(_("This word may offend the customer, even when disguised. "
	                           "Please rephrase.")));
}

static gboolean is_innocent(const gunichar *s, guint n)
{
	for (guint k = 0; innocent_words[k] != NULL; k++) {
		const char *w = innocent_words[k];
		guint i = 0;

		while (i < n && w[i] != '\0' && s[i] == (gunichar)w[i])
			i++;
		if (w[i] == '\0')
			return TRUE;     /* "shitake", "shitakemushrooms" */
	}
	return FALSE;
}

/* Can token j be joined to the ones before it (from i on)?  Runs of dots,
 * dashes and underscores join anything; a single space only joins tokens
 * of one character, and a last one of one or two ("f u c k", "a ss"). */
static gboolean joins(const Tokens *tokens, guint i, guint j)
{
	const Token *t = &tokens->tokens[j];

	if (t->gap == GAP_DOT || t->gap == GAP_PUNCT)
		return TRUE;
	if (t->gap != GAP_SPACE || t->len > 2)
		return FALSE;
	/* "a ss" and "f u c k", but "as S" is a word and a letter. */
	for (guint k = i; k < j; k++) {
		if (tokens->tokens[k].len > 1)
			return FALSE;
	}
	return TRUE;
}

/* Tokens i..j read as one word, the separators dropped or, for a lone
 * dot, read as a masked letter ("f.ck").  The last token of the match, or
 * 0 when there is none. */
static guint scan_joined(BdmScan *scan, const Tokens *tokens, guint i)
{
	gunichar dropped[MAX_TOKEN_CHARS], masked[MAX_TOKEN_CHARS];
	guint nd = 0, nm = 0;
	gboolean has_letter = FALSE;

	for (guint j = i; j < tokens->n_tokens && j < i + MAX_JOINED; j++) {
		const Token *t = &tokens->tokens[j];

		if (j > i && !joins(tokens, i, j))
			break;
		if (nm + t->len + 1 > MAX_TOKEN_CHARS)
			break;
		if (j > i && t->gap == GAP_DOT)
			masked[nm++] = '*';
		for (guint k = 0; k < t->len; k++) {
			dropped[nd++] = tokens->chars[t->first + k];
			masked[nm++] = tokens->chars[t->first + k];
		}
		has_letter = has_letter || t->has_letter;
		if (j > i && has_letter && !is_innocent(dropped, nd) &&
		    (reads_as_word(scan->policy->offensive, dropped, nd) ||
		     (nm > nd && nd >= 3 && reads_as_word(scan->policy->offensive, masked, nm))))
			return j;
	}
	return 0;
}

/* "as we ass... https://t.co/x": a word cut off where a tweet was
 * shortened, its ellipsis followed by the link to the whole text. */
static gboolean cut_off(const BdmScan *scan, gsize end)
{
	const char *t = scan->text + end;
	gsize left = scan->len - end;

	if (left < 8 || (strncmp(t, "...", 3) != 0 && strncmp(t, "\xe2\x80\xa6", 3) != 0))
		return FALSE;
	return strncmp(t + 3, " http", 5) == 0;
}

static void scan_offensive(BdmScan *scan)
{
	Tokens tokens;
	guint i = 0;

	tokens_init(&tokens, scan->text, scan->len);
	while (i < tokens.n_tokens) {
		const Token *t = &tokens.tokens[i];
		guint last;

		if (t->has_letter && !is_innocent(&tokens.chars[t->first], t->len) &&
		    !cut_off(scan, t->end) &&
		    reads_as_word(scan->policy->offensive, &tokens.chars[t->first], t->len)) {
			report_offensive(scan, t->start, t->end);
			i++;
			continue;
		}
		if (i + 1 < tokens.n_tokens && tokens.tokens[i + 1].gap != GAP_WIDE &&
		    (last = scan_joined(scan, &tokens, i)) > 0) {
			report_offensive(scan, t->start, tokens.tokens[last].end);
			i = last + 1;
			continue;
		}
		i++;
	}
	tokens_clear(&tokens);
}

/* ---- shouting ----------------------------------------------------------- */

/* One byte per byte of the text, set where an earlier scanner claimed it:
 * asking bdm_scan_is_claimed() for every letter would cost a walk over
 * every claim.  NULL when nothing is claimed. */
static guint8 *claimed_mask(const BdmScan *scan)
{
	guint8 *mask;

	if (scan->claimed->len == 0)
		return NULL;
	mask = g_malloc0(scan->len + 1);
	for (guint i = 0; i < scan->claimed->len; i++) {
		const BdmSpan *c = &g_array_index(scan->claimed, BdmSpan, i);

		for (gsize at = c->start; at < c->end && at < scan->len; at++)
			mask[at] = 1;
	}
	return mask;
}

static void scan_shouting(BdmScan *scan)
{
	const char *p = scan->text, *end = scan->text + scan->len;
	guint letters = 0, capitals = 0;
	int min_letters = scan->policy->numbers[BDM_NUMBER_SHOUT_MIN_LETTERS];
	int percent = scan->policy->numbers[BDM_NUMBER_SHOUT_PERCENT];
	guint8 *claimed = claimed_mask(scan);

	/* Only letters that have case count: Chinese text is not shouting.  Nor
	 * do claimed spans: an access key or a link is not the agent's tone. */
	for (; p < end; p = g_utf8_next_char(p)) {
		gsize at = (gsize)(p - scan->text);
		guint lower, upper, counted;

		/* Without branches for ASCII: which letters are capitals is the
		 * one thing here a processor cannot predict. */
		if ((guchar)*p < 0x80) {
			lower = g_ascii_islower(*p) != 0;
			upper = g_ascii_isupper(*p) != 0;
		} else {
			gunichar c = g_utf8_get_char(p);

			lower = g_unichar_islower(c) != 0;
			upper = !lower && (g_unichar_isupper(c) || g_unichar_istitle(c));
		}
		counted = (lower | upper) & (claimed == NULL || !claimed[at]);
		letters += counted;
		capitals += counted & upper;
	}
	g_free(claimed);
	if (letters < (guint)min_letters || (guint64)capitals * 100 < (guint64)letters * percent)
		return;
	bdm_scan_report(scan, BDM_RULE_LANGUAGE_SHOUTING, 0, 0,
	                g_strdup_printf(_("%u of the %u letters are capitals, which reads as "
	                                  "shouting. Please write in normal case."),
	                                capitals, letters));
}

void bdm_scan_language(BdmScan *scan)
{
	if (bdm_scan_rule_on(scan, BDM_RULE_LANGUAGE_OFFENSIVE))
		scan_offensive(scan);
	if (bdm_scan_rule_on(scan, BDM_RULE_LANGUAGE_SHOUTING))
		scan_shouting(scan);
}
