/*
 * Time values as the platforms write them.
 *
 * Graph writes "2026-11-21T10:00:00+0000" (no colon in the offset) but one of
 * its guides shows Unix seconds; X writes "2026-11-21T10:00:00.000Z".  HTTP
 * Retry-After is either delta-seconds or an HTTP date.  All answers are Unix
 * seconds, since that is what the ABI structs carry.
 */
#ifndef BRANDDM_PROTO_TIME_H
#define BRANDDM_PROTO_TIME_H

#include <glib.h>

/** Latest instant accepted anywhere (9999-12-31T23:59:59Z); later is garbage.
 *  Keeps wrapped or absurd numbers from reaching the host as timestamps. */
#define PROTO_TIME_MAX 253402300799LL

/** Parse ISO 8601 (offset +hhmm, +hh:mm, Z or none = UTC; fractions ignored)
 *  or plain Unix seconds as digits.  FALSE when s is anything else. */
G_GNUC_INTERNAL
gboolean proto_time_parse(const char *s, long long *out);

/** Unix seconds held in a number, checked to be within 0..PROTO_TIME_MAX.
 *  FALSE for negative, fractional-garbage or absurd values. */
G_GNUC_INTERNAL
gboolean proto_time_from_number(double value, long long *out);

/** Seconds to wait from a Retry-After value (delta-seconds or IMF-fixdate)
 *  relative to now, at most G_MAXINT32.  Returns -1 when value is NULL or unparsable. */
G_GNUC_INTERNAL
long long proto_time_retry_after(const char *value, long long now);

/** Plain-language age such as "3 days ago" or "25 hours ago" (translated).
 *  Returns a g_malloc'ed string; seconds below one minute read "just now". */
G_GNUC_INTERNAL
char *proto_time_describe_age(long long seconds);

#endif /* BRANDDM_PROTO_TIME_H */
