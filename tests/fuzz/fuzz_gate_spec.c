/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_gate_spec.c — `[devices] gate` of egate-kiosk.conf(5): arbitrary
 * bytes (up to the first NUL) as a gate spec through gate_spec_parse
 * (firmware/gate/src/gate.c). Whatever it accepts must be whole: a relay,
 * offsets in range, no line in two roles.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/gate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gate_spec s;
	char err[160] = "", *spec;

	if (size > 4096 || (spec = malloc(size + 1)) == NULL)
		return 0;
	memcpy(spec, data, size);
	spec[size] = '\0';
	if (gate_spec_parse(spec, &s, err, sizeof(err)) == EG_OK) {
		if (s.kind == GATE_KIND_GPIO && (s.lines.offset[GATE_LINE_RELAY] < 0 ||
		    s.lines.offset[GATE_LINE_DOOR_CLOSED] < 0 || s.chip[0] == '\0'))
			abort();
		if (s.kind == GATE_KIND_HIDRELAY && (s.channel < 1 || s.channel > 8 ||
		    s.lines.offset[GATE_LINE_RELAY] >= 0))
			abort();
		for (int a = 0; a < GATE_LINE_COUNT; a++)
			for (int b = a + 1; b < GATE_LINE_COUNT; b++)
				if (s.lines.offset[a] >= 0 && s.lines.offset[a] == s.lines.offset[b])
					abort();
	} else if (err[0] == '\0') {
		abort();		/* a refusal always says why */
	}
	free(spec);
	return 0;
}
