/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kern_dispatch.c — which kernel set runs: the list of sets compiled in (best
 * first) and the run-time choice from CPU features, a name, or the
 * EGATE_MATCH_KERNEL environment variable. The tables are const; the chosen
 * one is kept by the caller (the gallery), never in a global.
 */
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "match_kern.h"

unsigned
match_cpu_features(void)
{
	unsigned f = 0;
#if defined(__x86_64__)
	unsigned a, b, c, d, b7 = 0, c7 = 0, a71 = 0, xcr0 = 0, xcr0_hi;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	/* AVX usable only if the OS saves YMM state: OSXSAVE, then XCR0 */
	if (!(c & bit_OSXSAVE) || !(c & bit_AVX))
		return 0;
	__asm__ volatile ("xgetbv" : "=a"(xcr0), "=d"(xcr0_hi) : "c"(0));
	(void)xcr0_hi;
	if ((xcr0 & 0x6) != 0x6)	/* SSE and AVX state */
		return 0;
	if (c & bit_FMA)
		f |= MATCH_CPU_FMA;
	if (c & bit_F16C)
		f |= MATCH_CPU_F16C;
	if (__get_cpuid_max(0, NULL) >= 7) {
		__cpuid_count(7, 0, a, b7, c7, d);
		__cpuid_count(7, 1, a71, b, c, d);
	}
	if (b7 & (1u << 5))
		f |= MATCH_CPU_AVX2;
	if (a71 & (1u << 4))
		f |= MATCH_CPU_AVXVNNI;
	/* AVX-512 F (EBX 16), BW (30), VL (31), and opmask/ZMM state saved */
	if ((b7 & (1u << 16)) && (b7 & (1u << 30)) && (b7 & (1u << 31)) && (xcr0 & 0xe0) == 0xe0) {
		f |= MATCH_CPU_AVX512;
		if (c7 & (1u << 11))
			f |= MATCH_CPU_AVX512VNNI;
	}
#endif
	return f;
}

int
match_kern_runs(const struct match_kernels *k)
{
	return (match_cpu_features() & k->needs) == k->needs;
}

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
	unsigned feat = match_cpu_features();	/* once: CPUID traps in a VM */
	size_t i;

	if (name == NULL || name[0] == '\0')
		name = getenv("EGATE_MATCH_KERNEL");
	for (i = 0; kern_all[i] != NULL; i++) {
		if (name != NULL && name[0] != '\0' && strcmp(name, kern_all[i]->name) != 0)
			continue;
		if ((feat & kern_all[i]->needs) == kern_all[i]->needs)
			return kern_all[i];
		if (name != NULL && name[0] != '\0')
			return NULL;
	}
	return NULL;
}
