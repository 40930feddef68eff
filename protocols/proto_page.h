/*
 * Assembling a BdmPollPage while parsing.
 *
 * Parsers add conversations and messages one at a time; the builder grows
 * the arrays, drops repeats (the same message may sit in a conversation's
 * inline list and again on a page the host fetched) and hands the result
 * over in the ABI's layout.
 */
#ifndef BRANDDM_PROTO_PAGE_H
#define BRANDDM_PROTO_PAGE_H

#include "branddm/protocol.h"

typedef struct ProtoPage ProtoPage;

/** A new, empty page builder.
 *  Free it with proto_page_free() or consume it with proto_page_finish(). */
G_GNUC_INTERNAL
ProtoPage *proto_page_new(void);

/** Release a builder and everything added to it; NULL is allowed.
 *  Used on error paths. */
G_GNUC_INTERNAL
void proto_page_free(ProtoPage *page);

/** Add a conversation, taking over conv's strings (conv is zeroed).
 *  A repeated id keeps the first entry and frees the repeat. */
G_GNUC_INTERNAL
void proto_page_add_conversation(ProtoPage *page, BdmConversation *conv);

/** Add a message, taking over msg's strings (msg is zeroed).
 *  A repeated or missing id frees msg; returns FALSE then. */
G_GNUC_INTERNAL
gboolean proto_page_add_message(ProtoPage *page, BdmMessage *msg);

/** Add an attachment, taking over a's strings (a is zeroed).
 *  Call only after its message was added (a repeat's are dropped with it). */
G_GNUC_INTERNAL
void proto_page_add_attachment(ProtoPage *page, BdmAttachment *a);

/** Largest number of attachments kept per page; the rest mark the gap.
 *  A hostile page must not make the host fetch without end. */
#define PROTO_PAGE_MAX_ATTACHMENTS 200

/** Add a cursor for the host to fetch next (copied); repeats are dropped.
 *  NULL and empty cursors are ignored. */
G_GNUC_INTERNAL
void proto_page_add_next(ProtoPage *page, const char *cursor);

/** Mark the page as possibly missing messages (BdmPollPage.gap).
 *  Sticky: later items cannot clear it. */
G_GNUC_INTERNAL
void proto_page_set_gap(ProtoPage *page);

/** Move everything into out (zero-initialised by the caller) and free page.
 *  not_before is copied into out->not_before. */
G_GNUC_INTERNAL
void proto_page_finish(ProtoPage *page, long long not_before, BdmPollPage *out);

#endif /* BRANDDM_PROTO_PAGE_H */
