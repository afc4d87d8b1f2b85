/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kern_dispatch.c — which kernel set runs: the list of sets compiled in (best
 * first) and the run-time choice from CPU features, a name, or the
 * EGATE_MATCH_KERNEL environment variable. The tables are const; the chosen
 * one is kept by the caller (the gallery), never in a global.
 */
#include <stdlib.h>
#include <string.h>

#include "match_kern.h"

static const struct match_kernels *const kern_all[] = {
#if defined(EGATE_MATCH_SIMD) && defined(__x86_64__)
	&match_kern_avx512vnni,
	&match_kern_avxvnni,
	&match_kern_avx512,
	&match_kern_avx2,
#endif
#if defined(EGATE_MATCH_SIMD) && defined(__aarch64__)
	&match_kern_neon,
#endif
	&match_kern_scalar,
	NULL,
};

const struct match_kernels *const *
match_kern_all(void)
{
	return kern_all;
}

const struct match_kernels *
match_kern_find(const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '\0')
		name = getenv("EGATE_MATCH_KERNEL");
	for (i = 0; kern_all[i] != NULL; i++) {
		if (name != NULL && name[0] != '\0' && strcmp(name, kern_all[i]->name) != 0)
			continue;
		if (kern_all[i]->runs())
			return kern_all[i];
		if (name != NULL && name[0] != '\0')
			return NULL;
	}
	return NULL;
}
