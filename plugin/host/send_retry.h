/*
 * What to do after a reply failed: the retry decision of send.c as a pure
 * function, so every case is tested in a table (tests/unit/test_send_retry.c).
 *
 * A reply is retried only where the platform cannot have acted on it (rate
 * limits, 5xx answers, connections that never carried the request); an
 * ambiguous failure is reported instead, so a customer never gets a reply twice.
 */
#ifndef BRANDDM_SEND_RETRY_H
#define BRANDDM_SEND_RETRY_H

#include <glib.h>

#include "branddm/protocol.h"
#include "http.h"

/** Attempts per reply, the first included. */
#define BDM_SEND_MAX_ATTEMPTS 4

/** A platform that asks for a longer pause (seconds) gets the reply back as
 *  not sent: the agent must not believe a reply is on its way for hours. */
#define BDM_SEND_MAX_WAIT_S 300

/** What happened to one attempt. */
typedef struct {
	BdmHttpOutcome outcome;   /* of the HTTP call */
	int status;               /* HTTP status, 0 without a response */
	BdmErrorClass cls;        /* the module's (or transport's) error class */
	gint64 retry_after;       /* seconds the platform asked to wait, 0: none */
	guint attempts;           /* attempts made so far, this one included (>= 1) */
} BdmSendFailure;

/** The decision. */
typedef enum {
	BDM_SEND_RETRY = 0,       /* try again after *wait seconds */
	BDM_SEND_AUTH_FAILED,     /* the token was refused: not sent, the connection ends */
	BDM_SEND_PAUSE,           /* not sent: the platform asks for a pause over the limit */
	BDM_SEND_UNCONFIRMED,     /* may or may not have been delivered: tell, never retry */
	BDM_SEND_NOT_SENT         /* not sent, no retry left or none safe */
} BdmSendAction;

/** Decide what follows failure f; *wait gets the delay for BDM_SEND_RETRY
 *  (seconds, >= 1) and 0 otherwise. */
BdmSendAction bdm_send_decide(const BdmSendFailure *f, gint64 *wait);

#endif /* BRANDDM_SEND_RETRY_H */
