/*
 * Calling a protocol module with its contract enforced.  Every call goes
 * through ctx->module (bound with bdm_ctx_bind()); afterwards, whatever the
 * module did: on success err is empty, on failure the output is cleared
 * (whatever a misbehaving module left in it is freed exactly once) and err
 * carries a class.  No libpurple here, so it is unit-tested on its own.
 */
#ifndef BRANDDM_MODULE_CALL_H
#define BRANDDM_MODULE_CALL_H

#include "branddm/protocol.h"

/** ctx->module's build_whoami; returns 0 or -1 as the module did.
 *  On failure out is empty and err->cls is not BDM_ERR_NONE. */
int bdm_call_build_whoami(const BdmAccountCtx *ctx, BdmRequest *out, BdmError *err);

/** ctx->module's parse_whoami; returns 0 or -1 as the module did.
 *  On failure out is empty and err->cls is not BDM_ERR_NONE. */
int bdm_call_parse_whoami(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmIdentity *out,
                          BdmError *err);

/** ctx->module's build_poll for cursor (NULL: first page); returns 0 or -1.
 *  On failure out is empty and err->cls is not BDM_ERR_NONE. */
int bdm_call_build_poll(const BdmAccountCtx *ctx, const char *cursor, BdmRequest *out,
                        BdmError *err);

/** ctx->module's parse_poll; returns 0 or -1 as the module did.
 *  On failure out is empty and err->cls is not BDM_ERR_NONE. */
int bdm_call_parse_poll(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmPollPage *out,
                        BdmError *err);

/** ctx->module's check_send; returns 0 or -1 as the module did.
 *  On failure err->cls is not BDM_ERR_NONE; on success err is empty. */
int bdm_call_check_send(const BdmAccountCtx *ctx, const BdmSendInput *in, BdmError *err);

/** ctx->module's build_send; returns 0 or -1 as the module did.
 *  On failure out is empty and err->cls is not BDM_ERR_NONE. */
int bdm_call_build_send(const BdmAccountCtx *ctx, const BdmSendInput *in, BdmRequest *out,
                        BdmError *err);

/** ctx->module's parse_send; returns 0 or -1 as the module did.
 *  On failure out is empty and err->cls is not BDM_ERR_NONE. */
int bdm_call_parse_send(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmSendResult *out,
                        BdmError *err);

/** TRUE when module m can send files (has build_upload and parse_upload).
 *  Version-1 modules and Instagram cannot. */
gboolean bdm_call_can_upload(const BdmModule *m);

/** ctx->module's build_upload; a module without it fails with BDM_ERR_REFUSED
 *  and a plain reason.  On failure out is empty and err->cls is set. */
int bdm_call_build_upload(const BdmAccountCtx *ctx, const BdmUploadInput *in, BdmRequest *out,
                          BdmError *err);

/** ctx->module's parse_upload, refused as bdm_call_build_upload() is.
 *  On failure out is empty and err->cls is not BDM_ERR_NONE. */
int bdm_call_parse_upload(const BdmAccountCtx *ctx, const BdmResponse *resp,
                          BdmUploadResult *out, BdmError *err);

#endif /* BRANDDM_MODULE_CALL_H */
