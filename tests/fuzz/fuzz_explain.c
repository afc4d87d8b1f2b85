/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_explain — an audit payload, as the officer's tools receive it from
 * the host, through the explanation reader (proto_explain_parse) and the
 * text for people (proto_explain_text); the same bytes through the reason
 * rule and the terminal escaping (proto/text.h). Checks: what is printed
 * never holds a control byte other than newline, and escaping never writes
 * past its buffer and never cuts inside a character or an escape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "explain.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_explain *x = malloc(sizeof(*x));
	char *s = malloc(size + 1), *out = NULL, small[24], *big;
	size_t olen = 0, n;
	FILE *f;

	if (x == NULL || s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (proto_explain_parse((const char *)data, size, x) == EG_OK) {
		if ((f = open_memstream(&out, &olen)) == NULL)
			abort();
		if (proto_explain_text(x, "  ", f) != EG_OK)
			abort();
		fclose(f);
		for (size_t i = 0; i < olen; i++)
			if (((unsigned char)out[i] < 0x20 && out[i] != '\n') || out[i] == 0x7F)
				abort();	/* a control byte reached the terminal */
		free(out);
	}
	(void)proto_reason_check(s, small, sizeof(small));
	n = proto_text_escape(s, small, sizeof(small));
	if (strlen(small) >= sizeof(small) || (n < sizeof(small) && strlen(small) != n))
		abort();
	if ((big = malloc(n + 1)) == NULL)
		abort();
	if (proto_text_escape(s, big, n + 1) != n || strlen(big) != n ||
	    strncmp(big, small, strlen(small)) != 0)
		abort();	/* the cut result is a prefix of the whole one */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)big[i] < 0x20 || big[i] == 0x7F)
			abort();
	free(big);
	free(s);
	free(x);
	return 0;
}
