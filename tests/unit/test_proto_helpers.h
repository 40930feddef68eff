/*
 * Fixtures shared by the protocol module unit tests: an account context
 * with settable options and canned HTTP responses.  Tests only.
 */
#ifndef BRANDDM_TEST_PROTO_HELPERS_H
#define BRANDDM_TEST_PROTO_HELPERS_H

#include "branddm/protocol.h"

/** An account context whose options live in a hash table.
 *  ctx.host_data points back at the fixture. */
typedef struct {
	BdmAccountCtx ctx;
	GHashTable *options;
} TestAccount;

/** Fill acct for module m (NULL: none) and api_base/account_id/self_id at
 *  clock now, bound to m as the host binds it.  Free with test_account_clear(). */
void test_account_init(TestAccount *acct, const BdmModule *m, const char *api_base,
                       const char *account_id, const char *self_id, long long now);

/** Set (or with value NULL, remove) an account option.
 *  The module sees it through ctx.get_option. */
void test_account_set_option(TestAccount *acct, const char *key, const char *value);

/** Release what test_account_init() allocated.
 *  The struct itself belongs to the caller. */
void test_account_clear(TestAccount *acct);

/** A canned response with a NUL-terminated body (may be NULL) and headers
 *  given as name, value pairs ending with NULL; all borrowed, not copied. */
BdmResponse test_response(long status, const char *body, long long now,
                          const BdmHeader *headers, size_t n_headers);

/** The value of a query parameter of url, unescaped, or NULL.
 *  Returns a g_malloc'ed string. */
char *test_url_param(const char *url, const char *name);

/** Fail the test if req carries a token: in the URL or as Authorization.
 *  Only the host may add the bearer header. */
void test_request_assert_no_token(const BdmRequest *req);

/** Replay a response recorded from the live service (source names where it
 *  was published) through m's parse_send and parse_poll: both fail with cls (and code unless -1). */
void test_replay_error(const BdmModule *m, TestAccount *acct, const char *source, long status,
                       const char *body, BdmErrorClass cls, int code);

/** The request body parsed as JSON, for assertions on its members.
 *  Returns the owned root node; fails the test if it is not JSON. */
JsonNode *test_request_json(const BdmRequest *req);

/** A body of n bytes of printable garbage (not JSON), g_malloc'ed.
 *  Deterministic, so failures reproduce. */
char *test_garbage(size_t n);

/** One part of a multipart/form-data body. */
typedef struct {
	char *headers;   /* the part's header lines, CRLF-separated */
	GBytes *data;    /* the part's content */
} TestPart;

/** The parts of a multipart request body, split at the boundary its
 *  content type names; fails the test on a malformed body.  Free with g_ptr_array_unref. */
GPtrArray *test_multipart_parts(const BdmRequest *req);

/** The part whose Content-Disposition says name="name", or NULL.
 *  parts is what test_multipart_parts() returned. */
const TestPart *test_multipart_part(const GPtrArray *parts, const char *name);

#endif /* BRANDDM_TEST_PROTO_HELPERS_H */
