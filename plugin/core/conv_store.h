/*
 * The conversation-state store: what the desk knows about each conversation
 * (assignment, status, tags, department, reason, ticket, language, the
 * response-time clock, the alerts already given, the automatic reply).
 *
 * One interface, several backends, as SQLite's sqlite3_vfs and curl's TLS
 * backends: a BdmStore points at a table of functions with a version field.
 * "local" keeps the state in the agent's own conversation log (SQLite,
 * conv_store_local.c); a team backend keeps it in a shared database.  Every
 * backend keeps these contracts:
 *
 *  - save() writes the named fields of one conversation in one transaction:
 *    afterwards all of them are stored, or (FALSE) none changed.
 *  - assign_ticket() allocates the next number of the platform's sequence and
 *    stores it on the conversation in one transaction; a number is never
 *    handed out twice, even when the transaction fails after the allocation
 *    (a failure may waste a number, never reuse one).
 *  - claim() is "insert if absent": of every caller that ever claims the same
 *    action on the same conversation, exactly one gets BDM_CLAIM_WON until
 *    the claim is released.  A shared database keeps this with
 *    INSERT ... ON CONFLICT DO NOTHING RETURNING.
 *  - Errors are reported, never guessed around: BDM_CLAIM_ERROR means "not
 *    known", and a caller that must act at most once does not act.
 *
 * UI-free (GLib only): the plugin, branddm-admin and the tests use it.
 */
#ifndef BRANDDM_CONV_STORE_H
#define BRANDDM_CONV_STORE_H

#include <glib.h>

#include "log.h"
#include "sla.h"

/** The interface version this header describes; backends put it in their table.
 *  Version 2 added the asynchronous claim and ticket of a shared database. */
#define BDM_STORE_VERSION 2

/** Open (the default) or resolved. */
typedef enum {
	BDM_CONV_OPEN = 0,
	BDM_CONV_RESOLVED
} BdmConvStatus;

/** One conversation: one customer of one brand account. */
typedef struct {
	char *platform;          /* "facebook", as the log stores it */
	char *account;           /* the brand account (login name) */
	char *customer;          /* the platform's customer id */
	char *assigned;          /* the agent handling it; NULL: nobody */
	BdmConvStatus status;
	GPtrArray *tags;         /* char*, sorted, never NULL */
	char *department;        /* escalated to; NULL when not escalated */
	char *reason;            /* why, as the agent or the trigger said */
	char *trigger;           /* trigger name of an automatic escalation, else NULL */
	gint64 escalated_at;     /* Unix seconds of the escalation */
	char *ticket;            /* "FACEBOOK-3"; NULL: none */
	char *language;          /* the conversation's language for templates, or NULL */
	char *customer_name;     /* the customer's display name as last seen */
	BdmSlaState sla;         /* response-time clock */
	BdmSlaAlerted alerted;   /* which response-time alerts were given */
	gboolean auto_replied;   /* the "auto_reply" action is claimed */
} BdmConvState;

/** What a save writes: a mask of these. */
typedef enum {
	BDM_CONV_ESCALATION = 1 << 0,   /* department, reason, trigger, escalated_at */
	BDM_CONV_TICKET     = 1 << 1,   /* ticket (NULL removes it; numbers are never reused) */
	BDM_CONV_LANGUAGE   = 1 << 2,
	BDM_CONV_NAME       = 1 << 3,   /* customer_name */
	BDM_CONV_SLA        = 1 << 4,   /* sla and alerted */
	BDM_CONV_AUTO_REPLY = 1 << 5,   /* FALSE releases the "auto_reply" claim */
	BDM_CONV_TAGS       = 1 << 6,   /* the whole tag set */
	BDM_CONV_ASSIGNED   = 1 << 7,
	BDM_CONV_STATUS     = 1 << 8,
	BDM_CONV_ALL        = (1 << 9) - 1
} BdmConvField;

/** Which conversations a list returns. */
typedef enum {
	BDM_LIST_ALL = 0,       /* every conversation with any state */
	BDM_LIST_WAITING,       /* sla.waiting_since != 0 */
	BDM_LIST_ESCALATED      /* department != NULL */
} BdmListFilter;

/** The outcome of a claim. */
typedef enum {
	BDM_CLAIM_WON = 0,      /* this caller acts */
	BDM_CLAIM_LOST,         /* someone claimed it before: do not act */
	BDM_CLAIM_ERROR         /* unknown (error set): do not act now */
} BdmClaimResult;

typedef struct BdmStore BdmStore;

/** The answer to a claim: result, and error when it is BDM_CLAIM_ERROR. */
typedef void (*BdmClaimDone)(BdmClaimResult result, const GError *error, gpointer data);

/** The answer to a ticket request: the conversation's ticket (also in the
 *  state), or NULL and error. */
typedef void (*BdmTicketDone)(const char *ticket, const GError *error, gpointer data);

/** A backend: the table every store of that kind points to. */
typedef struct {
	int version;             /* BDM_STORE_VERSION */
	const char *name;        /* "local", "team" */

	/** The state of one conversation into *out (cleared first; empty state
	 *  when there is none).  FALSE with error on a storage failure. */
	gboolean (*load)(BdmStore *store, const char *platform, const char *account,
	                 const char *customer, BdmConvState *out, GError **error);
	/** Every conversation of the account matching filter, as new
	 *  BdmConvState* (free with bdm_conv_state_free); NULL with error. */
	GPtrArray *(*list)(BdmStore *store, const char *platform, const char *account,
	                   BdmListFilter filter, GError **error);
	/** Write the fields (BdmConvField mask) of state in one transaction. */
	gboolean (*save)(BdmStore *store, const BdmConvState *state, guint fields,
	                 GError **error);
	/** Give state a ticket ("FACEBOOK-7", per-platform sequence) unless it
	 *  has one, stored with it in one transaction; sets state->ticket. */
	gboolean (*assign_ticket)(BdmStore *store, BdmConvState *state, GError **error);
	/** Claim action (e.g. "auto_reply") on state's conversation at time now. */
	BdmClaimResult (*claim)(BdmStore *store, const BdmConvState *state, const char *action,
	                        gint64 now, GError **error);
	/** Release a claim so the action may happen again (e.g. after /resolve). */
	gboolean (*release)(BdmStore *store, const BdmConvState *state, const char *action,
	                    GError **error);
	/** Free the store (not what it stores).  NULL-safe through bdm_store_close. */
	void (*close)(BdmStore *store);

	/* ---- version 2: a store whose answers come later (a shared database).
	 * A backend sets either these or claim/assign_ticket above; callers go
	 * through bdm_store_claim and bdm_store_assign_ticket, which use either. */

	/** Claim as claim() does; done runs exactly once, from the main loop,
	 *  unless the store is closed first (then never). */
	void (*claim_async)(BdmStore *store, const BdmConvState *state, const char *action,
	                    gint64 now, BdmClaimDone done, gpointer data);
	/** Give state a ticket as assign_ticket() does; state must stay valid
	 *  until done runs (or the store is closed). */
	void (*assign_ticket_async)(BdmStore *store, BdmConvState *state, BdmTicketDone done,
	                            gpointer data);
} BdmStoreBackend;

/** Every store starts with this; backends extend it. */
struct BdmStore {
	const BdmStoreBackend *backend;
};

/** A store on the agent's own conversation log (not owned: close the log
 *  after the store).  Keys are "conv/<platform>/<account>/<customer>/...". */
BdmStore *bdm_store_local_new(BdmLog *log);

/** Free a store through its backend.
 *  NULL is allowed. */
void bdm_store_close(BdmStore *store);

/** Claim action on state's conversation: done hears the result, at once from
 *  a local store, later from a shared one.  See the claim contract above. */
void bdm_store_claim(BdmStore *store, const BdmConvState *state, const char *action, gint64 now,
                     BdmClaimDone done, gpointer data);

/** Give state a ticket unless it has one: done hears it, at once from a
 *  local store, later from a shared one (state must outlive the request). */
void bdm_store_assign_ticket(BdmStore *store, BdmConvState *state, BdmTicketDone done,
                             gpointer data);

/** A new empty state for one conversation (tags empty, all else unset).
 *  Free with bdm_conv_state_free. */
BdmConvState *bdm_conv_state_new(const char *platform, const char *account,
                                 const char *customer);

/** Empty *state's fields but keep its platform, account and customer.
 *  For reuse before a load. */
void bdm_conv_state_reset(BdmConvState *state);

/** Free a state made by bdm_conv_state_new or a list.
 *  NULL is allowed. */
void bdm_conv_state_free(BdmConvState *state);

/** Trade every field but the identity (platform, account, customer): into
 *  gets from's state, from gets into's old one (free from afterwards). */
void bdm_conv_state_move(BdmConvState *into, BdmConvState *from);

/** Put label into state->tags (kept sorted, no duplicates) or take it out.
 *  TRUE when the set changed. */
gboolean bdm_conv_state_set_tag(BdmConvState *state, const char *label, gboolean on);

/** TRUE when state has label. */
gboolean bdm_conv_state_has_tag(const BdmConvState *state, const char *label);

#endif /* BRANDDM_CONV_STORE_H */
