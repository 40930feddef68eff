/*
 * Turning a protocol module into a libpurple protocol plugin description.
 */
#ifndef BRANDDM_PROTOCOL_INFO_H
#define BRANDDM_PROTOCOL_INFO_H

#include "conn.h"

/** Build the PurplePluginInfo and PurplePluginProtocolInfo for module m.
 *  Takes ownership of handle (closed by bdm_protocol_free). */
BdmProtocol *bdm_protocol_new(const BdmModule *m, GModule *handle);

/** Free what bdm_protocol_new built and close the module.
 *  NULL is allowed. */
void bdm_protocol_free(BdmProtocol *p);

#endif /* BRANDDM_PROTOCOL_INFO_H */
