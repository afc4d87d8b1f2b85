/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mrzdoc.c — lines to one document's MRZ (mrzdev_doc_assemble in
 * mrzdev.h): the rule every MRZ reader backend shares. No transport.
 */
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "egate/error.h"
#include "egate/mrzdev.h"
#include "egate/secure.h"

uint64_t
mrzdev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool
mrz_chars(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    *s == '<'))
			return false;
	return true;
}

int
mrzdev_doc_assemble(struct mrzdev_doc *doc, mrzdev_line_fn read_line, void *ctx,
    unsigned timeout_ms)
{
	unsigned want = 0;
	uint64_t deadline;
	int ret = EG_ERR_INVAL;

	if (doc == NULL || read_line == NULL)
		goto out;
	memset(doc, 0, sizeof(*doc));
	deadline = mrzdev_now_ms() + timeout_ms;
	while (want == 0 || doc->nlines < want) {
		char *l = doc->line[doc->nlines];
		uint64_t now = mrzdev_now_ms();
		size_t n;

		ret = read_line(ctx, l, sizeof(doc->line[0]),
		    (unsigned)(deadline > now ? deadline - now : 1));
		if (ret != EG_OK)
			goto out;
		n = strlen(l);
		ret = EG_ERR_FORMAT;
		if (!mrz_chars(l))
			goto out;
		if (doc->nlines == 0) {
			if (n == 30)
				want = 3;
			else if (n == 36 || n == 44)
				want = 2;
			else
				goto out;
			doc->width = (unsigned)n;
		} else if (n != doc->width) {
			goto out;
		}
		doc->nlines++;
	}
	ret = EG_OK;
out:
	if (ret != EG_OK && doc != NULL)
		eg_memzero(doc, sizeof(*doc));
	return ret;
}
