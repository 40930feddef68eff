/*
 * bdm-testclient: JSON events on stdout.
 *
 * Every line the client writes on stdout is one JSON object with an "event"
 * member.  All of them are built with json-glib so that any text libpurple or
 * a plugin hands us (HTML, quotes, control characters, broken UTF-8) arrives
 * in the harness intact and can never break the framing.  Nothing else
 * reaches the event stream: debug output and stray prints go to stderr
 * (see main.c).
 */
#ifndef BDM_CLIENT_EVENT_H
#define BDM_CLIENT_EVENT_H

#include <stdio.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <purple.h>

/* Write events to stream from now on (default stdout).  main() points it
 * at a private copy of the original stdout, so that a library printing to
 * stdout lands in the debug log instead of breaking the event stream. */
void bdm_event_set_stream(FILE *stream);

/* Start an event: a builder with an open object whose "event" is name.
 * Add members with the helpers below, then hand it to bdm_event_emit(). */
JsonBuilder *bdm_event_begin(const char *name);

/* Close the object, write it as one line on stdout, flush, free the builder.
 * Flushing per event is what lets the harness react without buffering lag. */
void bdm_event_emit(JsonBuilder *builder);

/* Add "key": value, or "key": null when value is NULL.  Invalid UTF-8 is
 * repaired (U+FFFD) so the output always stays valid JSON. */
void bdm_event_add_string(JsonBuilder *builder, const char *key, const char *value);

/* Add "key": value as a JSON integer. */
void bdm_event_add_int(JsonBuilder *builder, const char *key, gint64 value);

/* Add "key": true/false. */
void bdm_event_add_bool(JsonBuilder *builder, const char *key, gboolean value);

/* Add "account" (the username) and "protocol" (the prpl id) of account, or
 * nulls when account is NULL; used by every account-related event. */
void bdm_event_add_account(JsonBuilder *builder, PurpleAccount *account);

/* Add "key": ["send", "recv", ...] naming every bit set in flags; unknown
 * bits appear as "0x…" so a new libpurple flag is still visible to tests. */
void bdm_event_add_message_flags(JsonBuilder *builder, const char *key,
                                 PurpleMessageFlags flags);

/* Stable kebab-case name of a PurpleConnectionError ("network-error", ...);
 * tests match on names because the enum values are only documented in C. */
const char *bdm_connection_error_name(PurpleConnectionError reason);

/* Stable name of a PurpleConnectionState: "disconnected", "connecting" or
 * "connected". */
const char *bdm_connection_state_name(PurpleConnectionState state);

#endif /* BDM_CLIENT_EVENT_H */
