/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_traveller — arbitrary bytes as a simulated traveller profile
 * (hw/sim/sim_traveller.h): the schema-checked loader and the MRZ check
 * must refuse cleanly; an accepted profile must give its MRZ back. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "egate/error.h"
#include "sim_traveller.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_traveller t;
	struct eg_cfg_error err;
	char buf[512], mrz[160];
	int ret;

	ret = sim_traveller_load_string("fuzz", (const char *)data, size, &t, &err);
	if (ret == EG_ERR_CONFIG)
		(void)eg_cfg_error_str(&err, buf, sizeof(buf));
	if (ret == EG_OK && sim_traveller_mrz(&t, mrz, sizeof(mrz)) == EG_OK &&
	    strlen(mrz) < 60)
		__builtin_trap();	/* a valid MRZ has at least 2 x 30 characters */
	return 0;
}
