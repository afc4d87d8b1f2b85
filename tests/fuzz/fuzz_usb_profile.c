/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_usb_profile.c — the reader profile loader on arbitrary text. */
#include <stddef.h>
#include <stdint.h>

#include "egate/usb_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct usb_profile_table t;
	struct eg_cfg_error err;
	size_t i;

	if (usb_profile_load_string("fuzz", (const char *)data, size, &t, &err) == 0) {
		for (i = 0; i < t.n; i++)
			if (usb_profile_find(&t, t.p[i].vid, t.p[i].pid) == NULL)
				__builtin_trap();
	}
	return 0;
}
