/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_hidkbd.c — arbitrary input reports of a keyboard-wedge MRZ reader
 * through the decoder (egate/hidkbd.h) and the document rule
 * (mrzdev_doc_assemble), as the hid backend of the MRZ source runs them.
 * The input is records: one byte r, then (r % 11) report bytes when
 * r % 11 <= 9 (a boot report has 8; others are malformed), or, for
 * r % 11 == 10, a report the transport lost (hidkbd_garbled). The end of
 * the input is an unplug. Every line handed out must be MRZ characters
 * within MRZDEV_MAX_LINE; anything else aborts.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/hidkbd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct hidkbd k;
	const uint8_t *p;
	size_t left;
};

static void
check_line(const char *l, size_t cap)
{
	size_t n = strnlen(l, cap);

	if (n >= cap || n > MRZDEV_MAX_LINE)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!((l[i] >= 'A' && l[i] <= 'Z') || (l[i] >= '0' && l[i] <= '9') || l[i] == '<'))
			abort();
}

/* mrzdev_line_fn: the decoder's next line, reports from the input. */
static int
fz_line(void *ctx, char *line, size_t cap, unsigned timeout_ms)
{
	struct fz *f = ctx;

	(void)timeout_ms;
	for (;;) {
		int ret = hidkbd_next_line(&f->k, line, cap);
		size_t r;

		if (ret == EG_OK)
			check_line(line, cap);
		else if (line[0] != '\0')
			abort();	/* a refused line leaves nothing behind */
		if (ret != EG_ERR_TRUNCATED)
			return ret;
		if (f->left == 0)
			return EG_ERR_NO_DEVICE;
		r = f->p[0] % 11u;
		f->p++;
		f->left--;
		if (r == 10) {
			hidkbd_garbled(&f->k, "a lost report");
			continue;
		}
		if (r > f->left)
			r = f->left;
		if (hidkbd_push(&f->k, f->p, r) != EG_OK)
			abort();	/* every waiting key-down was consumed */
		f->p += r;
		f->left -= r;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f;
	struct mrzdev_doc doc;
	char small[16];
	unsigned i;
	int ret;

	hidkbd_init(&f.k);
	f.p = data;
	f.left = size;
	for (i = 0; i < 1000; i++) {
		if (i % 4 == 3)
			ret = fz_line(&f, small, 1 + i % sizeof(small), 1);
		else
			ret = mrzdev_doc_assemble(&doc, fz_line, &f, 1);
		if (ret == EG_OK && i % 4 != 3) {
			if (doc.nlines < 2 || doc.nlines > 3)
				abort();
			for (unsigned j = 0; j < doc.nlines; j++)
				if (strlen(doc.line[j]) != doc.width)
					abort();
		}
		if (ret == EG_ERR_NO_DEVICE)
			break;
	}
	hidkbd_wipe(&f.k);
	return 0;
}
