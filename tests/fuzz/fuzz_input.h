/*
 * How the fuzz targets cut one input into parts, and write parts to files.
 *
 * Inputs are text so seed files stay readable and editable: parts are
 * separated by a line holding only "%%" ("\n%%\n").  A target that needs
 * files (the configuration loaders read paths, not buffers) writes its parts
 * to a private temporary directory made once per process.
 * Header-only: every target is one translation unit plus replay_main.c.
 */
#ifndef BRANDDM_FUZZ_INPUT_H
#define BRANDDM_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#define FUZZ_SEPARATOR "\n%%\n"
#define FUZZ_MAX_PARTS 4

/** One part of an input: a NUL-terminated copy of its bytes (g_free it). */
typedef struct {
	char *text;
	size_t len;
} FuzzPart;

/** Cut data into at most FUZZ_MAX_PARTS parts at FUZZ_SEPARATOR; the last
 *  part keeps any further separators.  Returns how many parts were filled. */
static inline size_t fuzz_split(const uint8_t *data, size_t size, FuzzPart parts[FUZZ_MAX_PARTS])
{
	const char *p = (const char *)data, *end = p + size;
	size_t n = 0, sep = strlen(FUZZ_SEPARATOR);

	while (n < FUZZ_MAX_PARTS - 1) {
		const char *hit = NULL, *q;
		for (q = p; q + sep <= end; q++)
			if (memcmp(q, FUZZ_SEPARATOR, sep) == 0) {
				hit = q;
				break;
			}
		if (hit == NULL)
			break;
		parts[n].len = (size_t)(hit - p);
		parts[n].text = g_strndup(p, parts[n].len);
		n++;
		p = hit + sep;
	}
	parts[n].len = (size_t)(end - p);
	/* g_strndup stops at an embedded NUL; keep the bytes, the length says how many. */
	parts[n].text = g_malloc(parts[n].len + 1);
	memcpy(parts[n].text, p, parts[n].len);
	parts[n].text[parts[n].len] = '\0';
	return n + 1;
}

/** Release what fuzz_split filled. */
static inline void fuzz_parts_free(FuzzPart parts[FUZZ_MAX_PARTS], size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		g_free(parts[i].text);
}

static char *fuzz_dir_path;

static inline void fuzz_tmpdir_remove(void)
{
	/* Every target removes its own files, so the directory is empty here. */
	g_rmdir(fuzz_dir_path);
}

/** A private directory for this process's files, made on first use and
 *  removed at exit; the path is only written once, so it is no shared state. */
static inline const char *fuzz_tmpdir(void)
{
	if (fuzz_dir_path == NULL) {
		GError *error = NULL;
		fuzz_dir_path = g_dir_make_tmp("bdm-fuzz-XXXXXX", &error);
		if (fuzz_dir_path == NULL)
			g_error("cannot make a temporary directory: %s", error->message);
		atexit(fuzz_tmpdir_remove);
	}
	return fuzz_dir_path;
}

/** Write len bytes to name inside fuzz_tmpdir(); returns the path (g_free it). */
static inline char *fuzz_write_file(const char *name, const char *bytes, size_t len)
{
	char *path = g_build_filename(fuzz_tmpdir(), name, NULL);
	GError *error = NULL;

	if (!g_file_set_contents(path, bytes, (gssize)len, &error))
		g_error("cannot write %s: %s", path, error->message);
	return path;
}

/** Remove a file fuzz_write_file made, and free its path. */
static inline void fuzz_remove_file(char *path)
{
	if (path != NULL)
		g_unlink(path);
	g_free(path);
}

#endif /* BRANDDM_FUZZ_INPUT_H */
