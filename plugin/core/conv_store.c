/*
 * The backend-independent half of the conversation-state store: closing a
 * store through its table, and the BdmConvState helpers every backend and
 * caller share.  See conv_store.h.
 */
#include <string.h>

#include "conv_store.h"

void bdm_store_close(BdmStore *store)
{
	if (store == NULL)
		return;
	/* A table from another interface version would be read with the wrong layout. */
	g_assert(store->backend != NULL && store->backend->version == BDM_STORE_VERSION);
	store->backend->close(store);
}

void bdm_store_claim(BdmStore *store, const BdmConvState *state, const char *action, gint64 now,
                     BdmClaimDone done, gpointer data)
{
	GError *error = NULL;
	BdmClaimResult result;

	g_assert(store->backend->claim_async != NULL || store->backend->claim != NULL);
	if (store->backend->claim_async != NULL) {
		store->backend->claim_async(store, state, action, now, done, data);
		return;
	}
	result = store->backend->claim(store, state, action, now, &error);
	done(result, error, data);
	g_clear_error(&error);
}

void bdm_store_assign_ticket(BdmStore *store, BdmConvState *state, BdmTicketDone done,
                             gpointer data)
{
	GError *error = NULL;

	g_assert(store->backend->assign_ticket_async != NULL ||
	         store->backend->assign_ticket != NULL);
	if (store->backend->assign_ticket_async != NULL) {
		store->backend->assign_ticket_async(store, state, done, data);
		return;
	}
	if (store->backend->assign_ticket(store, state, &error))
		done(state->ticket, NULL, data);
	else
		done(NULL, error, data);
	g_clear_error(&error);
}

BdmConvState *bdm_conv_state_new(const char *platform, const char *account,
                                 const char *customer)
{
	BdmConvState *state;

	g_assert(platform != NULL && account != NULL && customer != NULL);
	state = g_new0(BdmConvState, 1);
	state->platform = g_strdup(platform);
	state->account = g_strdup(account);
	state->customer = g_strdup(customer);
	state->tags = g_ptr_array_new_with_free_func(g_free);
	return state;
}

void bdm_conv_state_reset(BdmConvState *state)
{
	char *platform, *account, *customer;
	GPtrArray *tags;

	g_assert(state != NULL && state->tags != NULL);
	g_free(state->assigned);
	g_free(state->department);
	g_free(state->reason);
	g_free(state->trigger);
	g_free(state->ticket);
	g_free(state->language);
	g_free(state->customer_name);
	/* Zeroing the whole struct keeps reset right when a field is added;
	 * only the identity and the (emptied) tag array survive it. */
	platform = state->platform;
	account = state->account;
	customer = state->customer;
	tags = state->tags;
	g_ptr_array_set_size(tags, 0);
	memset(state, 0, sizeof(*state));
	state->platform = platform;
	state->account = account;
	state->customer = customer;
	state->tags = tags;
}

void bdm_conv_state_free(BdmConvState *state)
{
	if (state == NULL)
		return;
	bdm_conv_state_reset(state);
	g_ptr_array_unref(state->tags);
	g_free(state->platform);
	g_free(state->account);
	g_free(state->customer);
	g_free(state);
}

/* Where label is in the sorted tags, or where it would go: binary search,
 * because the badge code asks on every redraw. */
static gboolean find_tag(const GPtrArray *tags, const char *label, guint *index)
{
	guint lo = 0, hi = tags->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		int cmp = g_strcmp0(g_ptr_array_index(tags, mid), label);

		if (cmp == 0) {
			*index = mid;
			return TRUE;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*index = lo;
	return FALSE;
}

gboolean bdm_conv_state_set_tag(BdmConvState *state, const char *label, gboolean on)
{
	guint index;
	gboolean found;

	g_assert(state != NULL && state->tags != NULL && label != NULL);
	found = find_tag(state->tags, label, &index);
	if (on && !found) {
		g_ptr_array_insert(state->tags, (gint)index, g_strdup(label));
		return TRUE;
	}
	if (!on && found) {
		g_ptr_array_remove_index(state->tags, index);
		return TRUE;
	}
	return FALSE;
}

gboolean bdm_conv_state_has_tag(const BdmConvState *state, const char *label)
{
	guint index;

	g_assert(state != NULL && state->tags != NULL && label != NULL);
	return find_tag(state->tags, label, &index);
}

void bdm_conv_state_move(BdmConvState *into, BdmConvState *from)
{
	BdmConvState old = *into;

	g_assert(into != from);
	*into = *from;
	into->platform = old.platform;
	into->account = old.account;
	into->customer = old.customer;
	old.platform = from->platform;
	old.account = from->account;
	old.customer = from->customer;
	*from = old;
}
