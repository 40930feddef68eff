/*
 * The team link, connecting: host names resolved off the loop (GResolver,
 * as libpq's getaddrinfo() would block), then PQconnectStartParams with the
 * addresses.  See team_db_private.h.
 */
#include "team_db_private.h"

static void resolve_next(BdmTeamDb *db);

const char *tdb_option(const BdmTeamDb *db, const char *keyword)
{
	const PQconninfoOption *o;

	for (o = db->options; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, keyword) == 0)
			return o->val;
	}
	return NULL;
}

static void add_param(GPtrArray *keywords, GPtrArray *values, const char *keyword, const char *value)
{
	g_ptr_array_add(keywords, (gpointer)keyword);
	g_ptr_array_add(values, (gpointer)value);
}

/* What we add unless the conninfo says otherwise: every string in the
 * plugin is UTF-8; a name in pg_stat_activity; no GSSAPI encryption, whose
 * default "prefer" makes PQconnectPoll ask a Kerberos KDC for a ticket,
 * synchronously, on any machine that has a ticket cache (set gssencmode to
 * use it); and TCP keepalives, so a server that vanished without closing is
 * noticed in about a minute rather than the system's two hours. */
static const char *const defaults[][2] = {
	{ "fallback_application_name", "branddm" },
	{ "client_encoding", "UTF8" },
	{ "gssencmode", "disable" },
	{ "keepalives_idle", "30" },
	{ "keepalives_interval", "10" },
	{ "keepalives_count", "3" },
};

/* Hand the parsed options (with resolved addresses, if any) to libpq. */
static void connect_now(BdmTeamDb *db)
{
	GPtrArray *keywords = g_ptr_array_new(), *values = g_ptr_array_new();
	GPtrArray *owned = g_ptr_array_new_with_free_func(g_free);
	const PQconninfoOption *o;
	gboolean resolved = db->hosts != NULL;
	char *why;
	gsize i;

	for (o = db->options; o->keyword != NULL; o++) {
		if (o->val == NULL)
			continue;
		if (resolved && (strcmp(o->keyword, "host") == 0 ||
		                 strcmp(o->keyword, "hostaddr") == 0 ||
		                 strcmp(o->keyword, "port") == 0))
			continue;
		add_param(keywords, values, o->keyword, o->val);
	}
	if (resolved) {
		GPtrArray *hosts = g_ptr_array_new(), *addrs = g_ptr_array_new();
		GPtrArray *ports = g_ptr_array_new();
		for (i = 0; i < db->hosts->len; i++) {
			HostEntry *e = g_ptr_array_index(db->hosts, i);
			GList *a;
			if (!e->resolve) {
				g_ptr_array_add(hosts, e->host);
				g_ptr_array_add(addrs, e->hostaddr);
				g_ptr_array_add(ports, e->port);
				continue;
			}
			/* Every address of the name, in the resolver's order, as
			 * libpq itself would try them. */
			for (a = e->addresses; a != NULL; a = a->next) {
				char *text = g_inet_address_to_string(a->data);
				g_ptr_array_add(owned, text);
				g_ptr_array_add(hosts, e->host);
				g_ptr_array_add(addrs, text);
				g_ptr_array_add(ports, e->port);
			}
		}
		g_ptr_array_add(hosts, NULL);
		g_ptr_array_add(addrs, NULL);
		g_ptr_array_add(ports, NULL);
		g_ptr_array_add(owned, g_strjoinv(",", (char **)hosts->pdata));
		add_param(keywords, values, "host", g_ptr_array_index(owned, owned->len - 1));
		g_ptr_array_add(owned, g_strjoinv(",", (char **)addrs->pdata));
		add_param(keywords, values, "hostaddr", g_ptr_array_index(owned, owned->len - 1));
		if (ports->len > 1 && g_ptr_array_index(ports, 0) != NULL) {
			g_ptr_array_add(owned, g_strjoinv(",", (char **)ports->pdata));
			add_param(keywords, values, "port", g_ptr_array_index(owned, owned->len - 1));
		}
		g_ptr_array_free(hosts, TRUE);
		g_ptr_array_free(addrs, TRUE);
		g_ptr_array_free(ports, TRUE);
	}
	for (i = 0; i < G_N_ELEMENTS(defaults); i++) {
		if (tdb_option(db, defaults[i][0]) == NULL)
			add_param(keywords, values, defaults[i][0], defaults[i][1]);
	}
	add_param(keywords, values, NULL, NULL);

	purple_debug_info(DEBUG_CAT, "connecting to %s%s\n", db->safe_conninfo,
	                  resolved ? " (host names resolved)" : "");
	db->conn = PQconnectStartParams((const char *const *)keywords->pdata,
	                                (const char *const *)values->pdata, 0);
	g_ptr_array_free(keywords, TRUE);
	g_ptr_array_free(values, TRUE);
	g_ptr_array_free(owned, TRUE);
	if (db->hosts != NULL) {
		g_ptr_array_free(db->hosts, TRUE);
		db->hosts = NULL;
	}
	if (db->conn == NULL) {
		tdb_fail_link(db, "could not connect to the team database: out of memory");
		return;
	}
	PQsetNoticeReceiver(db->conn, tdb_notice_cb, db);
	if (PQstatus(db->conn) == CONNECTION_BAD) {
		why = tdb_conn_error(db, "could not connect to the team database");
		tdb_fail_link(db, why);
		g_free(why);
		return;
	}
	db->state = LINK_CONNECTING;
	/* As the libpq manual says: start as if PQconnectPoll had said WRITING. */
	tdb_set_watch(db, PURPLE_INPUT_WRITE);
}

static gboolean host_is_literal(const char *host)
{
	/* A socket directory, an abstract socket, or a numeric address. */
	return *host == '\0' || *host == '/' || *host == '@' || g_hostname_is_ip_address(host);
}

/* libpq's host list with the names it would look up itself, or NULL when
 * there are none (then libpq gets the options as they are).  Lists libpq
 * will refuse (counts that do not match) are left for libpq to refuse. */
static GPtrArray *plan_hosts(const BdmTeamDb *db)
{
	const char *host = tdb_option(db, "host"), *hostaddr = tdb_option(db, "hostaddr");
	const char *port = tdb_option(db, "port");
	char **hosts, **addrs = NULL, **ports = NULL;
	guint n_hosts, n_addrs = 0, n_ports = 0, i;
	GPtrArray *plan = NULL;
	gboolean any = FALSE;

	/* Unset options come from the environment, as in libpq. */
	if (host == NULL)
		host = g_getenv("PGHOST");
	if (hostaddr == NULL)
		hostaddr = g_getenv("PGHOSTADDR");
	if (port == NULL)
		port = g_getenv("PGPORT");
	if (host == NULL || *host == '\0')
		return NULL;
	hosts = g_strsplit(host, ",", -1);
	n_hosts = g_strv_length(hosts);
	if (hostaddr != NULL && *hostaddr != '\0') {
		addrs = g_strsplit(hostaddr, ",", -1);
		n_addrs = g_strv_length(addrs);
	}
	if (port != NULL && *port != '\0') {
		ports = g_strsplit(port, ",", -1);
		n_ports = g_strv_length(ports);
	}
	if ((addrs != NULL && n_addrs != n_hosts) ||
	    (ports != NULL && n_ports != 1 && n_ports != n_hosts))
		goto out;
	plan = g_ptr_array_new_with_free_func(tdb_host_entry_free);
	for (i = 0; i < n_hosts; i++) {
		HostEntry *e = g_new0(HostEntry, 1);
		e->host = g_strdup(hosts[i]);
		e->hostaddr = g_strdup(addrs != NULL ? addrs[i] : "");
		e->port = ports != NULL ? g_strdup(ports[n_ports == 1 ? 0 : i]) : NULL;
		e->resolve = *e->hostaddr == '\0' && !host_is_literal(e->host);
		any = any || e->resolve;
		g_ptr_array_add(plan, e);
	}
	if (!any) {
		g_ptr_array_free(plan, TRUE);
		plan = NULL;
	}
out:
	g_strfreev(hosts);
	g_strfreev(addrs);
	g_strfreev(ports);
	return plan;
}

static void resolved_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Lookup *lookup = user_data;
	BdmTeamDb *db = lookup->db;
	GError *error = NULL;
	GList *addresses = g_resolver_lookup_by_name_finish(G_RESOLVER(source), result, &error);

	g_object_unref(lookup->cancel);
	g_free(lookup);
	if (db == NULL) {
		/* The link was freed or gave up on this attempt. */
		g_resolver_free_addresses(addresses);
		g_clear_error(&error);
		return;
	}
	tdb_enter(db);
	db->lookup = NULL;
	{
		HostEntry *e = g_ptr_array_index(db->hosts, db->resolving);
		e->addresses = addresses;
		if (error != NULL)
			e->resolve_error = g_strdup(error->message);
	}
	g_clear_error(&error);
	db->resolving++;
	resolve_next(db);
	tdb_leave(db);
}

/* Look up the next name in the plan, then connect. */
static void resolve_next(BdmTeamDb *db)
{
	GResolver *resolver;
	HostEntry *e;
	guint i, usable = 0;
	char *why;

	for (; db->resolving < db->hosts->len; db->resolving++) {
		e = g_ptr_array_index(db->hosts, db->resolving);
		if (!e->resolve)
			continue;
		purple_debug_info(DEBUG_CAT, "resolving %s\n", e->host);
		db->lookup = g_new0(Lookup, 1);
		db->lookup->db = db;
		db->lookup->cancel = g_cancellable_new();
		resolver = g_resolver_get_default();
		g_resolver_lookup_by_name_async(resolver, e->host, db->lookup->cancel, resolved_cb,
		                                db->lookup);
		g_object_unref(resolver);
		return;
	}
	/* A name that does not resolve is skipped, as libpq skips it. */
	for (i = 0; i < db->hosts->len; i++) {
		e = g_ptr_array_index(db->hosts, i);
		if (e->resolve && e->addresses == NULL)
			purple_debug_error(DEBUG_CAT, "could not resolve %s: %s\n", e->host,
			                   e->resolve_error != NULL ? e->resolve_error : "no address");
		else
			usable++;
	}
	if (usable == 0) {
		e = g_ptr_array_index(db->hosts, 0);
		why = g_strdup_printf("could not connect to the team database: "
		                      "could not resolve %s: %s", e->host,
		                      e->resolve_error != NULL ? e->resolve_error : "no address");
		tdb_fail_link(db, why);
		g_free(why);
		return;
	}
	connect_now(db);
}

void tdb_start_attempt(BdmTeamDb *db)
{
	db->state = LINK_RESOLVING;
	tdb_remove_timer(&db->attempt_timer);
	db->attempt_timer = purple_timeout_add(db->connect_timeout_ms, tdb_attempt_timeout_cb, db);
	db->hosts = plan_hosts(db);
	if (db->hosts != NULL) {
		db->resolving = 0;
		resolve_next(db);
	} else {
		connect_now(db);
	}
}

gboolean tdb_report_broken_cb(gpointer data)
{
	BdmTeamDb *db = data;

	db->report_timer = 0;
	tdb_enter(db);
	tdb_report_state(db, FALSE, db->broken);
	tdb_leave(db);
	return FALSE;
}
