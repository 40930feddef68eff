/*
 * Pre-send policy: the compliance checks every outgoing message goes
 * through before it may reach a customer (sensitive data, links, language,
 * outreach rules, platform limits, who may send on which account).
 *
 * A BdmPolicy is built once, from the built-in defaults and up to two
 * GKeyFile policy files (the administrator's system file and the agent's
 * own file; the format is documented in docs/policy.conf.example).  Every
 * pattern is compiled at that moment, so bdm_policy_check() only scans: a
 * 2,000-character message costs well under a millisecond.  A policy is
 * immutable after loading and may be shared between threads.
 *
 * Plain C + GLib: no libpurple, no UI.  User-visible strings are translated
 * through the "branddm" gettext domain.
 */
#ifndef BRANDDM_POLICY_H
#define BRANDDM_POLICY_H

#include <glib.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

/** Where the administrator's policy file lives. */
#define BDM_POLICY_SYSTEM_PATH SYSCONFDIR "/branddm/policy.conf"

/** How bad a finding is; a verdict's level is the worst of its findings. */
typedef enum {
	BDM_VERDICT_ALLOW = 0,  /* nothing to say (as a rule severity: "off") */
	BDM_VERDICT_WARN = 1,   /* the agent is told, the message may be sent */
	BDM_VERDICT_BLOCK = 2   /* the message must not be sent */
} BdmVerdictLevel;

/** One rule that fired on one part of the text. */
typedef struct {
	char *rule_id;            /* e.g. "sensitive.card" */
	BdmVerdictLevel severity; /* WARN or BLOCK */
	gsize start, end;         /* byte span in the text, end exclusive; 0,0 = whole message */
	char *explanation;        /* plain words for the agent, translated: what and what to do */
} BdmFinding;

/** The result of checking one message. */
typedef struct {
	BdmVerdictLevel level;    /* max severity of the findings */
	GPtrArray *findings;      /* BdmFinding*, in text order */
} BdmVerdict;

/** Everything a check needs to know about the message and its context. */
typedef struct {
	const char *text;               /* UTF-8; invalid bytes are reported, never crash */
	const char *platform;           /* "facebook", "instagram", "x" */
	const char *account;            /* brand account id */
	const char *agent;              /* OS user name of the sender */
	gboolean customer_has_written;  /* the customer wrote in this conversation before */
	gboolean automated;             /* machine-written (auto-acknowledgement) */
	gsize text_limit;               /* platform length limit, 0 = none */
	gboolean text_limit_in_bytes;   /* the limit counts UTF-8 bytes, not characters */
	const char *window_refusal;     /* non-NULL: the module refused (reply window); its reason */
	const char *assigned_elsewhere; /* non-NULL: the colleague the conversation is assigned to */
} BdmCheckInput;

typedef struct BdmPolicy BdmPolicy;

/** The built-in policy: every rule at its default severity, default lists.
 *  Safe on its own (links need an allow-list to pass); never fails. */
BdmPolicy *bdm_policy_new_default(void);

/** Defaults, then the system file, then the user file; either path may be
 *  NULL or missing on disk.  A broken file gives NULL and a BDM_CONF_ERROR
 *  (conf_file.h) naming file and line, and group and key for a bad value. */
BdmPolicy *bdm_policy_load(const char *system_path, const char *user_path, GError **error);

/** Release a policy; NULL is allowed.
 *  Verdicts made with it stay valid. */
void bdm_policy_free(BdmPolicy *p);

/** The administrator's version string ([policy] version), "" when no file
 *  sets one.  Agents must acknowledge the policy again when it changes. */
const char *bdm_policy_version(const BdmPolicy *p);

/** Where the policy came from: "built-in defaults" or the file(s) read,
 *  comma-separated.  Owned by p. */
const char *bdm_policy_source(const BdmPolicy *p);

/** Settings of the user file that were ignored because the system file sets
 *  or locks them; NULL-terminated, owned by p, empty when there were none. */
const char *const *bdm_policy_notices(const BdmPolicy *p);

/** The severity in force for a rule id (BDM_VERDICT_ALLOW when it is off).
 *  FALSE when rule_id is not a rule. */
gboolean bdm_policy_rule_severity(const BdmPolicy *p, const char *rule_id,
                                  BdmVerdictLevel *severity);

/** Check a message against every rule.  Never NULL; free with
 *  bdm_verdict_free().  A NULL text is checked as the empty string. */
BdmVerdict *bdm_policy_check(const BdmPolicy *p, const BdmCheckInput *in);

/** A file an agent wants to send, as the attachment rules see it. */
typedef struct {
	const char *name;      /* the name the customer would see (a path's directories are ignored) */
	const guint8 *head;    /* the file's first bytes, BDM_ATTACHMENT_HEAD of them if it has that many */
	gsize head_len;
	guint64 size;          /* the whole file, in bytes */
} BdmAttachmentInput;

/** How many first bytes of a file bdm_policy_check_attachment() wants. */
#define BDM_ATTACHMENT_HEAD 4096

/** Check a file against the attachment rules (attachment.type, .size, .name);
 *  never NULL.  type, if not NULL, gets the MIME type the content proves. */
BdmVerdict *bdm_policy_check_attachment(const BdmPolicy *p, const BdmAttachmentInput *in,
                                        const char **type);

/** The largest file attachment.size lets through, in bytes (0 when the rule
 *  is off: then only the platform's limit applies). */
guint64 bdm_policy_attachment_max_bytes(const BdmPolicy *p);

/** Release a verdict and its findings; NULL is allowed.
 *  The policy it came from is not needed for this. */
void bdm_verdict_free(BdmVerdict *v);

/** Multi-line plain text for the agent, without a heading: per finding the
 *  rule, the part of text quoted (sensitive parts masked) and what to do.  Translated. */
char *bdm_verdict_describe(const BdmVerdict *v, const char *text);

/** {"verdict":"block","findings":[{"rule","severity","start","end","explanation"}]}
 *  with byte offsets, as one line of JSON. */
char *bdm_verdict_to_json(const BdmVerdict *v);

/** FALSE when the [agents] lists of the policy would block agent from
 *  sending on platform:account (the account is then read-only for them). */
gboolean bdm_policy_agent_may_send(const BdmPolicy *p, const char *platform,
                                   const char *account, const char *agent);

/** Human-readable summary of the rules in force, for a "Policy summary"
 *  menu entry: version, source, each rule's severity, lists, agents.  Translated. */
char *bdm_policy_summary(const BdmPolicy *p);

/** The policy in two lines, for a dialog that must fit a small screen:
 *  version and source, how many rules block and warn.  Translated. */
char *bdm_policy_brief(const BdmPolicy *p);

/** The plain-words title of a rule ("Payment card number"), translated;
 *  NULL when rule_id is not a rule. */
const char *bdm_policy_rule_title(const char *rule_id);

/** "allow", "warn" or "block": the word used in JSON and policy files.
 *  Not translated. */
const char *bdm_verdict_level_name(BdmVerdictLevel level);

#endif /* BRANDDM_POLICY_H */
