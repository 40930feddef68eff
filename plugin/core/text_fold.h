/*
 * Folding text for keyword matching: case-insensitive, accent-insensitive,
 * white-space-insensitive, and on word boundaries, while remembering where
 * each folded character came from so a match can be shown in the original.
 * Plain C + GLib.
 */
#ifndef BRANDDM_TEXT_FOLD_H
#define BRANDDM_TEXT_FOLD_H

#include <glib.h>

/** A folded text and, for every byte of it, the original character's bytes. */
typedef struct {
	char *folded;        /* case-folded, accents removed, white-space runs as one space */
	gsize len;           /* bytes in folded */
	gsize *origin_start; /* per folded byte: first byte of its original character */
	gsize *origin_end;   /* per folded byte: one past the last byte of it */
} BdmFoldedText;

/** Fold text ("Löschen  MEINE" -> "loschen meine"); invalid UTF-8 is read as
 *  U+FFFD.  Release with bdm_folded_text_clear(). */
void bdm_folded_text_init(BdmFoldedText *ft, const char *text);

/** Free what bdm_folded_text_init() allocated and zero ft.
 *  Safe to call twice. */
void bdm_folded_text_clear(BdmFoldedText *ft);

/** Fold a keyword the way texts are folded, trimmed; g_free it.
 *  An empty result means the keyword can never match. */
char *bdm_fold_keyword(const char *keyword);

/** Find the first occurrence of folded_keyword in ft that is a whole word:
 *  not preceded or followed by a letter, digit or "_".  On success the span
 *  in the ORIGINAL text goes to *start and *end (bytes, end exclusive). */
gboolean bdm_folded_text_find_word(const BdmFoldedText *ft, const char *folded_keyword,
                                   gsize *start, gsize *end);

/** The same search from folded byte offset from on; *pos is where the
 *  match starts in ft->folded (map it with origin_start and origin_end). */
gboolean bdm_folded_text_find_word_from(const BdmFoldedText *ft, const char *folded_keyword,
                                        gsize from, gsize *pos);

#endif /* BRANDDM_TEXT_FOLD_H */
