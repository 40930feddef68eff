/*
 * The attachment rules: what kind of file an agent may send, how large,
 * and which names look like a trick.
 *
 * The type comes from the file's first bytes (media_sniff.c, the receive
 * side's sniffing), never from its name: "label.pdf" that is a Windows
 * program is a program.  The name is checked on its own, because it is what
 * the customer sees and clicks: "invoice.pdf.exe" shows as "invoice.pdf" on
 * a system that hides known extensions, and a right-to-left override turns
 * "invoice\u202Efdp.exe" into "invoiceexe.pdf" on screen.
 *
 * Only the file is checked here.  Who may send, the reply window and the
 * caption go through bdm_policy_check() as any text does, so the desk runs
 * both before anything is uploaded.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "media_sniff.h"
#include "policy_private.h"

/* Extensions of what a customer expects to open: one of these followed by
 * another extension is the classic disguise ("photo.jpg.scr"). */
static const char *const document_extensions[] = {
	"pdf", "jpg", "jpeg", "png", "gif", "heic", "webp", "bmp", "tif", "tiff", "doc", "docx",
	"xls", "xlsx", "ppt", "pptx", "odt", "ods", "rtf", "txt", "csv", "mp3", "mp4", "mov",
	"wav", "zip", NULL
};

static gboolean type_allowed(const GPtrArray *allowed, const char *type)
{
	for (guint i = 0; i < allowed->len; i++) {
		const char *entry = g_ptr_array_index(allowed, i);
		gsize len = strlen(entry);

		/* A star subtype ("image/" and a star) takes every type of its kind. */
		if (len >= 2 && strcmp(entry + len - 2, "/*") == 0 &&
		    strncmp(entry, type, len - 1) == 0)
			return TRUE;
		if (strcmp(entry, type) == 0)
			return TRUE;
	}
	return FALSE;
}

static void scan_type(BdmScan *scan, const char *type, gboolean is_program)
{
	const GPtrArray *allowed = scan->policy->lists[BDM_LIST_ATTACH_TYPES];
	char *list;

	if (type_allowed(allowed, type))
		return;
	list = allowed->len > 0 ? bdm_list_join(allowed) : g_strdup(_("none"));
	if (is_program)
		bdm_scan_report(scan, BDM_RULE_ATTACHMENT_TYPE, 0, 0,
		                g_strdup_printf(_("The file is a program, whatever its name "
		                                  "says; programs are never sent to customers. "
		                                  "Allowed types: %s."), list));
	else if (strcmp(type, "application/octet-stream") == 0)
		bdm_scan_report(scan, BDM_RULE_ATTACHMENT_TYPE, 0, 0,
		                g_strdup_printf(_("BrandDM cannot tell from its content what "
		                                  "kind of file this is, so it is not sent. "
		                                  "Allowed types: %s."), list));
	else
		bdm_scan_report(scan, BDM_RULE_ATTACHMENT_TYPE, 0, 0,
		                g_strdup_printf(_("By its content the file is %s, which the "
		                                  "policy does not allow. Allowed types: %s."),
		                                type, list));
	g_free(list);
}

/* Sizes in the policy's own unit, MB of 1024 × 1024 bytes, so that the
 * limit reads as the number the administrator wrote. */
static void scan_size(BdmScan *scan, const BdmAttachmentInput *in)
{
	guint64 max = bdm_policy_attachment_max_bytes(scan->policy);

	if (in->size == 0) {
		bdm_scan_report(scan, BDM_RULE_ATTACHMENT_SIZE, 0, 0,
		                g_strdup(_("The file is empty.")));
		return;
	}
	if (max == 0 || in->size <= max)
		return;
	bdm_scan_report(scan, BDM_RULE_ATTACHMENT_SIZE, 0, 0,
	                g_strdup_printf(_("The file is %.1f MB; the policy allows at most %d MB. "
	                                  "Send a smaller file or a link to it."),
	                                (double)in->size / (1024.0 * 1024.0),
	                                scan->policy->numbers[BDM_NUMBER_ATTACH_MAX_MB]));
}

/* Invisible characters that change how a name looks: controls, and the
 * marks and overrides that reorder text on screen. */
static gboolean is_disguising(gunichar c)
{
	return g_unichar_iscntrl(c) || c == 0x061c || c == 0x200e || c == 0x200f ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

static gboolean in_list(const char *const *list, const char *word)
{
	for (guint i = 0; list[i] != NULL; i++) {
		if (strcmp(list[i], word) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean in_array(const GPtrArray *list, const char *word)
{
	for (guint i = 0; i < list->len; i++) {
		if (strcmp(g_ptr_array_index(list, i), word) == 0)
			return TRUE;
	}
	return FALSE;
}

/* The name's extensions, lower-case and trimmed, last one last; a leading
 * dot (".profile") starts no extension.  Windows ignores trailing dots and
 * spaces, so "invoice.exe. " is an .exe: they are dropped first. */
static char **name_extensions(const char *base)
{
	char *name = g_ascii_strdown(base, -1);
	gsize len = strlen(name);
	char **parts, **out;
	guint n, k = 0;

	while (len > 0 && (name[len - 1] == '.' || g_ascii_isspace(name[len - 1])))
		name[--len] = '\0';
	parts = g_strsplit(name[0] == '.' ? name + 1 : name, ".", -1);
	n = g_strv_length(parts);
	out = g_new0(char *, n > 0 ? n : 1);
	for (guint i = 1; i < n; i++)
		out[k++] = g_strdup(g_strstrip(parts[i]));
	g_strfreev(parts);
	g_free(name);
	return out;
}

static void scan_name(BdmScan *scan, const char *name)
{
	const char *base = strrchr(name, '/');
	char **ext;
	guint n;

	base = base != NULL ? base + 1 : name;
	if (strrchr(base, '\\') != NULL)
		base = strrchr(base, '\\') + 1;
	if (!g_utf8_validate(base, -1, NULL)) {
		bdm_scan_report(scan, BDM_RULE_ATTACHMENT_NAME, 0, 0,
		                g_strdup(_("The file name is not valid text (UTF-8). Rename "
		                           "the file and try again.")));
		return;
	}
	for (const char *p = base; *p != '\0'; p = g_utf8_next_char(p)) {
		if (is_disguising(g_utf8_get_char(p))) {
			bdm_scan_report(scan, BDM_RULE_ATTACHMENT_NAME, 0, 0,
			                g_strdup(_("The file name contains invisible control or "
			                           "text-direction characters, which can disguise "
			                           "what kind of file it is. Rename the file.")));
			return;
		}
	}
	ext = name_extensions(base);
	n = g_strv_length(ext);
	if (n > 0 && in_array(scan->policy->lists[BDM_LIST_ATTACH_EXTENSIONS], ext[n - 1]))
		bdm_scan_report(scan, BDM_RULE_ATTACHMENT_NAME, 0, 0,
		                g_strdup_printf(_("Files ending in .%s run as programs when "
		                                  "opened; they are never sent to customers."),
		                                ext[n - 1]));
	else if (n > 1 && in_list(document_extensions, ext[n - 2]) &&
	         strcmp(ext[n - 2], ext[n - 1]) != 0)
		bdm_scan_report(scan, BDM_RULE_ATTACHMENT_NAME, 0, 0,
		                g_strdup_printf(_("The file name has two extensions (.%s.%s): "
		                                  "customers may see only the first and be "
		                                  "misled. Rename the file."),
		                                ext[n - 2], ext[n - 1]));
	g_strfreev(ext);
}

BdmVerdict *bdm_policy_check_attachment(const BdmPolicy *p, const BdmAttachmentInput *in,
                                        const char **type)
{
	BdmScan scan = { 0 };
	const char *sniffed;
	gboolean is_program;
	int w, h;

	g_return_val_if_fail(p != NULL && in != NULL, NULL);
	sniffed = bdm_media_sniff(in->head != NULL ? in->head : (const guint8 *)"",
	                          in->head != NULL ? in->head_len : 0, &is_program, &w, &h);
	if (type != NULL)
		*type = sniffed;
	scan.policy = p;
	scan.text = "";
	scan.findings = bdm_findings_new();
	scan_type(&scan, sniffed, is_program);
	scan_size(&scan, in);
	if (in->name != NULL)
		scan_name(&scan, in->name);
	return bdm_verdict_from_findings(scan.findings);
}

guint64 bdm_policy_attachment_max_bytes(const BdmPolicy *p)
{
	g_return_val_if_fail(p != NULL, 0);
	if (p->severity[BDM_RULE_ATTACHMENT_SIZE] == BDM_VERDICT_ALLOW)
		return 0;
	return (guint64)p->numbers[BDM_NUMBER_ATTACH_MAX_MB] * 1024u * 1024u;
}
