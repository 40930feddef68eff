/*
 * What the two files of the "local" store share: the key layout, and reading
 * the state rows of an account back into BdmConvState (conv_store_local_read.c).
 * Private to plugin/core/conv_store_local*.c.
 */
#ifndef BRANDDM_CONV_STORE_LOCAL_H
#define BRANDDM_CONV_STORE_LOCAL_H

#include "conv_store.h"

#define TAG_FIELD "tag/"
#define CLAIM_FIELD "claim/"
#define AUTO_REPLY "auto_reply"

/** Every conversation of the account with a row, as customer -> state (free
 *  the table); only customer `only` when not NULL.  NULL with error. */
GHashTable *bdm_store_local_read(BdmLog *log, const char *platform, const char *account,
                                 const char *only, GError **error);

#endif /* BRANDDM_CONV_STORE_LOCAL_H */
