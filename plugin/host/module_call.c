/*
 * Calling a protocol module with its contract enforced.  See module_call.h.
 */
#include "branddm/i18n.h"
#include "module_call.h"

/* What the host relies on after any call: a success has no error left to
 * leak, a failure has a class to react to (a module that failed without
 * one is treated as having sent something the host cannot understand). */
static int settle(int rc, BdmError *err)
{
	if (rc == 0) {
		bdm_error_clear(err);
		return 0;
	}
	if (err->cls == BDM_ERR_NONE)
		err->cls = BDM_ERR_MALFORMED;
	return -1;
}

int bdm_call_build_whoami(const BdmAccountCtx *ctx, BdmRequest *out, BdmError *err)
{
	if (settle(ctx->module->build_whoami(ctx, out, err), err) == 0)
		return 0;
	bdm_request_clear(out);
	return -1;
}

int bdm_call_parse_whoami(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmIdentity *out,
                          BdmError *err)
{
	if (settle(ctx->module->parse_whoami(ctx, resp, out, err), err) == 0)
		return 0;
	bdm_identity_clear(out);
	return -1;
}

int bdm_call_build_poll(const BdmAccountCtx *ctx, const char *cursor, BdmRequest *out,
                        BdmError *err)
{
	if (settle(ctx->module->build_poll(ctx, cursor, out, err), err) == 0)
		return 0;
	bdm_request_clear(out);
	return -1;
}

int bdm_call_parse_poll(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmPollPage *out,
                        BdmError *err)
{
	if (settle(ctx->module->parse_poll(ctx, resp, out, err), err) == 0)
		return 0;
	bdm_poll_page_clear(out);
	return -1;
}

int bdm_call_check_send(const BdmAccountCtx *ctx, const BdmSendInput *in, BdmError *err)
{
	return settle(ctx->module->check_send(ctx, in, err), err);
}

int bdm_call_build_send(const BdmAccountCtx *ctx, const BdmSendInput *in, BdmRequest *out,
                        BdmError *err)
{
	if (settle(ctx->module->build_send(ctx, in, out, err), err) == 0)
		return 0;
	bdm_request_clear(out);
	return -1;
}

int bdm_call_parse_send(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmSendResult *out,
                        BdmError *err)
{
	if (settle(ctx->module->parse_send(ctx, resp, out, err), err) == 0)
		return 0;
	bdm_send_result_clear(out);
	return -1;
}

gboolean bdm_call_can_upload(const BdmModule *m)
{
	return BDM_MODULE_HAS(m, build_upload) && BDM_MODULE_HAS(m, parse_upload);
}

/* A module from before file sending, or one for a platform that takes no
 * uploads: the agent learns that from the host, not from a crash. */
static int cannot_upload(BdmError *err)
{
	return bdm_error_set(err, BDM_ERR_REFUSED, 0,
	                     _("This account's protocol module cannot send files "
	                       "(it is older than BrandDM's file sending, or the "
	                       "platform takes no uploads)."));
}

int bdm_call_build_upload(const BdmAccountCtx *ctx, const BdmUploadInput *in, BdmRequest *out,
                          BdmError *err)
{
	if (!bdm_call_can_upload(ctx->module))
		return cannot_upload(err);
	if (settle(ctx->module->build_upload(ctx, in, out, err), err) == 0)
		return 0;
	bdm_request_clear(out);
	return -1;
}

int bdm_call_parse_upload(const BdmAccountCtx *ctx, const BdmResponse *resp,
                          BdmUploadResult *out, BdmError *err)
{
	if (!bdm_call_can_upload(ctx->module))
		return cannot_upload(err);
	if (settle(ctx->module->parse_upload(ctx, resp, out, err), err) == 0)
		return 0;
	bdm_upload_result_clear(out);
	return -1;
}
