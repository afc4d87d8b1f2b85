/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_config — arbitrary bytes as a configuration file against a schema
 * with every key type; on error the message must format cleanly. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "egate/config.h"
#include "egate/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct conf {
	char s[8];
	long long i;
	double d;
	bool b;
	int e;
};

static const char *const choices[] = { "a", "bb", "ccc", NULL };

static const struct eg_cfg_key schema[] = {
	{ "", "s", EG_CFG_STR, offsetof(struct conf, s), 8, 0, 0, NULL, false, "" },
	{ "x", "i", EG_CFG_INT, offsetof(struct conf, i), 0, -5, 5000, NULL, true, "" },
	{ "x", "d", EG_CFG_DOUBLE, offsetof(struct conf, d), 0, 0, 1, NULL, false, "" },
	{ "y", "b", EG_CFG_BOOL, offsetof(struct conf, b), 0, 0, 0, NULL, false, "" },
	{ "y", "e", EG_CFG_ENUM, offsetof(struct conf, e), 0, 0, 0, choices, false, "" },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	struct eg_cfg_error err;
	char msg[600];

	memset(&c, 0, sizeof(c));
	if (eg_cfg_load_string("fuzz.conf", (const char *)data, size, schema,
	    sizeof(schema) / sizeof(schema[0]), &c, &err) != EG_OK)
		eg_cfg_error_str(&err, msg, sizeof(msg));
	else if (memchr(c.s, '\0', sizeof(c.s)) == NULL)
		__builtin_trap();	/* a stored string must be terminated */
	return 0;
}
