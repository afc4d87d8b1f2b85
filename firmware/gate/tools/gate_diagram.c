/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate-gate-diagram — print the gate engine's table as Markdown with a
 * Mermaid diagram. docs/gate.md is this program's output; a test keeps
 * them equal.
 */
#include <stdio.h>

#include "gate_engine.h"

int
main(void)
{
	gate_engine_diagram(stdout);
	return ferror(stdout) ? 1 : 0;
}
