/*
 * Calling a protocol module with its contract enforced.  See module_call.h.
 */
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
