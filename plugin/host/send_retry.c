/*
 * The retry decision for a failed reply.  See send_retry.h.
 */
#include "send_retry.h"

/* Without a Retry-After, a rate-limited reply waits this long. */
#define RATE_LIMIT_WAIT_S 30

BdmSendAction bdm_send_decide(const BdmSendFailure *f, gint64 *wait)
{
	gboolean have_response = f->outcome == BDM_HTTP_OK;
	gboolean tries_left = f->attempts < BDM_SEND_MAX_ATTEMPTS;

	g_assert(f->attempts >= 1);
	*wait = 0;
	if (f->cls == BDM_ERR_AUTH)
		return BDM_SEND_AUTH_FAILED;
	/* Only 429s and 5xx answers carry a wait: the platform did not send it. */
	if (f->retry_after > BDM_SEND_MAX_WAIT_S)
		return BDM_SEND_PAUSE;
	if (tries_left && f->cls == BDM_ERR_RATE_LIMIT) {
		*wait = f->retry_after > 0 ? f->retry_after : RATE_LIMIT_WAIT_S;
		return BDM_SEND_RETRY;
	}
	/* The platform answered 5xx or never got the request: it did not send it. */
	if (tries_left && (f->outcome == BDM_HTTP_NOT_SENT ||
	                   (have_response && f->status >= 500 &&
	                    (f->cls == BDM_ERR_TRANSIENT || f->cls == BDM_ERR_MALFORMED)))) {
		*wait = f->retry_after > 0 ? f->retry_after : ((gint64)1 << MIN(f->attempts, 30u));
		return BDM_SEND_RETRY;
	}
	if (f->outcome == BDM_HTTP_AMBIGUOUS || (have_response && f->status < 300))
		return BDM_SEND_UNCONFIRMED;
	return BDM_SEND_NOT_SENT;
}
