/*
 * The benchmark corpus (see corpus.h).
 *
 * A message is a run of fragments, most of them plain sentences, cut to
 * the length asked for.  Card numbers pass the Luhn check and IBANs their
 * mod-97 check, as real ones do, so the engine's expensive paths (the
 * checksum, the claim that stops a second report) run as often as they
 * would in production; a cut at the end may leave half a number, which
 * real messages have too.
 */
#include <string.h>

#include "corpus.h"

static const char *const words[] = {
	"hello", "hi", "thanks", "thank", "you", "for", "your", "message", "order", "parcel",
	"delivery", "refund", "invoice", "account", "please", "could", "would", "check",
	"tracking", "number", "today", "tomorrow", "yesterday", "the", "a", "an", "is", "was",
	"will", "be", "we", "I", "it", "has", "have", "not", "arrived", "shipped", "return",
	"label", "address", "payment", "card", "bank", "transfer", "help", "support", "team",
	"store", "size", "colour", "exchange", "warranty", "broken", "damaged", "box", "item",
	"price", "week", "days", "hours", "sorry", "problem", "issue", "update", "status",
	"customer", "service", "with", "and", "or", "but", "so", "because", "my", "our", "in",
	"on", "at", "to", "from", "of", "as", "soon", "possible", "again", "still", "already",
	"Rechnung", "Grüße", "Lieferung", "Bestellung", "bitte", "danke", "Rückerstattung",
	"réponse", "commande", "reçu", "merci", "déjà", "café", "naïve", "señor", "pedido",
	"envío", "🙂", "👍", "😡", "注文", "ありがとう",
};

static const char *const links[] = {
	"https://help.acme.com/orders/%u", "https://www.acme.com/returns?id=%u",
	"http://acme.com/track/%u", "https://bit.ly/3x%u", "www.acme-deals.io/p/%u",
	"https://acme.help/faq#%u", "see acme.com/help/%u", "https://192.0.2.%u/login",
	"https://paypa1-secure.xyz/verify/%u", "https://xn--acm-cma.com/%u",
};

static const char *const emails[] = {
	"support@acme.com", "jane.doe%u@gmail.com", "orders@acme.help", "m.mueller%u@web.de",
	"billing%u@example.org",
};

static const char *const phones[] = {
	"+1 800 555 0100", "+49 30 %u", "(555) 123-%u", "030 %u", "+44 20 7946 %u",
};

static const char *const offensive[] = {
	"this is bullshit", "what the f*ck", "you idiots", "stupid", "sh1t service",
	"f.u.c.k this", "crap", "bastards", "pissed off", "absolute wankers",
};

static const char *const promotional[] = {
	"use discount code SAVE%u", "buy now", "limited time offer", "shop now and save",
	"Subscribe to our newsletter", "special offer for you", "don't miss out",
};

static const char *const other[] = {
	"Order #%u", "ticket %u", "ref %u-A", "password: hunter%u", "AKIAIOSFODNN7EXAMPLE",
	"123-45-%u", "version 1.2.%u", "at 10:%u", "2026-03-%u",
};

void bench_rng_seed(BenchRng *rng, guint64 seed)
{
	/* splitmix64 of the seed: never the all-zero state xorshift cannot leave. */
	guint64 z = seed + G_GUINT64_CONSTANT(0x9E3779B97F4A7C15);

	z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT(0x94D049BB133111EB);
	rng->state = (z ^ (z >> 31)) | 1;
}

static guint64 next(BenchRng *rng)
{
	rng->state ^= rng->state >> 12;
	rng->state ^= rng->state << 25;
	rng->state ^= rng->state >> 27;
	return rng->state * G_GUINT64_CONSTANT(2685821657736338717);
}

guint32 bench_rng_below(BenchRng *rng, guint32 n)
{
	return (guint32)((next(rng) >> 32) % n);
}

guint bench_corpus_length(BenchRng *rng)
{
	guint r = bench_rng_below(rng, 100);

	if (r < 55)
		return 1 + bench_rng_below(rng, 160);
	if (r < 80)
		return 160 + bench_rng_below(rng, 440);
	if (r < 92)
		return 600 + bench_rng_below(rng, 800);
	return 1400 + bench_rng_below(rng, 601);
}

#define PICK(rng, list) ((list)[bench_rng_below((rng), G_N_ELEMENTS(list))])

static void add_digits(BenchRng *rng, char *out, guint n)
{
	for (guint i = 0; i < n; i++)
		out[i] = (char)('0' + bench_rng_below(rng, 10));
}

/* A Visa or Mastercard number that passes Luhn, grouped as people type it. */
static void add_card(BenchRng *rng, GString *s)
{
	char d[17];
	guint sum = 0;
	const char *seps = " -";
	char sep = bench_rng_below(rng, 3) == 0 ? '\0' : seps[bench_rng_below(rng, 2)];

	d[0] = bench_rng_below(rng, 2) ? '4' : '5';
	if (d[0] == '5')
		d[1] = (char)('1' + bench_rng_below(rng, 5));
	else
		d[1] = (char)('0' + bench_rng_below(rng, 10));
	add_digits(rng, d + 2, 13);
	for (guint i = 0; i < 15; i++) {
		guint v = (guint)(d[14 - i] - '0');

		if (i % 2 == 0) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	d[15] = (char)('0' + (10 - sum % 10) % 10);
	d[16] = '\0';
	for (guint i = 0; i < 16; i++) {
		if (i > 0 && i % 4 == 0 && sep != '\0')
			g_string_append_c(s, sep);
		g_string_append_c(s, d[i]);
	}
}

/* A German IBAN with correct check digits, in groups of four. */
static void add_iban(BenchRng *rng, GString *s)
{
	char bban[19], iban[23];
	guint rest = 0;
	const char *tail = "131400";   /* "DE" as 13 14, then check digits 00 */

	add_digits(rng, bban, 18);
	bban[18] = '\0';
	for (const char *p = bban; *p; p++)
		rest = (rest * 10 + (guint)(*p - '0')) % 97;
	for (const char *p = tail; *p; p++)
		rest = (rest * 10 + (guint)(*p - '0')) % 97;
	g_snprintf(iban, sizeof iban, "DE%02u%s", 98 - rest, bban);
	for (guint i = 0; i < 22; i++) {
		if (i > 0 && i % 4 == 0)
			g_string_append_c(s, ' ');
		g_string_append_c(s, iban[i]);
	}
}

static void add_sentence(BenchRng *rng, GString *s, gboolean shout)
{
	guint n = 4 + bench_rng_below(rng, 14);
	gsize start = s->len;

	for (guint i = 0; i < n; i++) {
		const char *w = PICK(rng, words);

		if (i > 0)
			g_string_append_c(s, ' ');
		if (i == 0 && g_ascii_islower(w[0])) {
			g_string_append_c(s, g_ascii_toupper(w[0]));
			g_string_append(s, w + 1);
		} else {
			g_string_append(s, w);
		}
	}
	g_string_append(s, bench_rng_below(rng, 4) == 0 ? "?" : ".");
	if (shout) {
		char *upper = g_utf8_strup(s->str + start, -1);

		g_string_truncate(s, start);
		g_string_append(s, upper);
		g_free(upper);
	}
}

static void add_template(BenchRng *rng, GString *s, const char *format)
{
	g_string_append_printf(s, format, 1000 + bench_rng_below(rng, 9000));
}

static void add_fragment(BenchRng *rng, GString *s)
{
	guint r = bench_rng_below(rng, 100);

	if (r < 70)
		add_sentence(rng, s, FALSE);
	else if (r < 72)
		add_sentence(rng, s, TRUE);
	else if (r < 75)
		add_card(rng, s);
	else if (r < 77)
		add_iban(rng, s);
	else if (r < 83)
		add_template(rng, s, PICK(rng, links));
	else if (r < 87)
		add_template(rng, s, PICK(rng, emails));
	else if (r < 90)
		add_template(rng, s, PICK(rng, phones));
	else if (r < 93)
		g_string_append(s, PICK(rng, offensive));
	else if (r < 96)
		add_template(rng, s, PICK(rng, promotional));
	else
		add_template(rng, s, PICK(rng, other));
}

char *bench_corpus_message(BenchRng *rng, guint chars)
{
	GString *s = g_string_new(NULL);
	glong have = 0;

	while (have < (glong)chars) {
		gsize before = s->len;

		if (s->len > 0)
			g_string_append_c(s, ' ');
		add_fragment(rng, s);
		have += g_utf8_strlen(s->str + before, (gssize)(s->len - before));
	}
	g_string_truncate(s, (gsize)(g_utf8_offset_to_pointer(s->str, (glong)chars) - s->str));
	return g_string_free(s, FALSE);
}
