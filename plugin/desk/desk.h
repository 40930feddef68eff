/*
 * The customer-service desk, as the loader sees it: pre-send policy,
 * templates, escalation, response-time targets, webhooks, the out-of-hours
 * acknowledgement and retention, on top of the protocol host.
 *
 * The desk lives once per libpurple process (one agent).  It listens to the
 * host's signals (host_signals.h) and answers the host's questions through
 * the hook table (hooks.h); the host never calls it.
 */
#ifndef BRANDDM_DESK_H
#define BRANDDM_DESK_H

#include <plugin.h>

/** Load policy, templates and desk settings; install the host hooks and
 *  connect to the host's signals.  plugin is the loader (signal and command handle). */
gboolean bdm_desk_init(PurplePlugin *plugin);

/** Disconnect everything, uninstall the hooks, free the desk.
 *  The host's journal stays open until the loader closes it. */
void bdm_desk_shutdown(void);

#endif /* BRANDDM_DESK_H */
