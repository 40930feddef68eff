/*
 * libFuzzer target: the team database's notification payloads
 * (bdm_team_notice_parse in plugin/core/team_schema.c).  Payloads come from
 * other clients and the database: hostile input like any other.
 *
 * A payload is refused, or taken apart so that the parts put back together
 * give it again: platform and account without '/', a customer without a
 * newline, nothing empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "team_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *payload = g_strndup((const char *)data, size);
	BdmTeamNotice n;
	char *again;

	if (!bdm_team_notice_parse(payload, &n)) {
		bdm_team_notice_clear(&n);
		g_free(payload);
		return 0;
	}
	if (*n.kind == '\0' || *n.platform == '\0' || *n.account == '\0' || *n.customer == '\0' ||
	    strchr(n.platform, '/') || strchr(n.account, '/') || strchr(n.customer, '\n') ||
	    strchr(n.kind, ':') || strchr(n.platform, '\n') || strchr(n.account, '\n'))
		abort();
	again = n.more ? g_strdup_printf("%s:%s/%s/%s\n%s", n.kind, n.platform, n.account,
	                                 n.customer, n.more)
	               : g_strdup_printf("%s:%s/%s/%s", n.kind, n.platform, n.account, n.customer);
	if (strcmp(again, payload) != 0)
		abort();
	g_free(again);
	bdm_team_notice_clear(&n);
	g_free(payload);
	return 0;
}
