/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_gate.h — the simulated gate (outputs.h's gate contract): a door that
 * follows the relay at once, a passage sensor that sees the simulated
 * traveller walk through an open gate, and faults to arm. TEST AND
 * SIMULATION ONLY: egate-kiosk does not link it.
 */
#ifndef EGATE_SIM_GATE_H
#define EGATE_SIM_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include "egate/log.h"
#include "outputs.h"

#define SIM_GATE_QUEUE 8

struct sim_gate {
	enum gate_door door;
	bool commanded_open;
	unsigned openings;		/* times the door opened */
	/* behaviour */
	bool traveller_walks;		/* once open, the sensor sees one person */
	bool door_stuck;		/* the door does not move: no confirmation */
	bool fail_next;			/* the next open/close fails (EG_ERR_DEVICE) */
	bool unplugged;			/* every call: EG_ERR_NO_DEVICE */
	/* events not yet taken */
	struct gate_event q[SIM_GATE_QUEUE];
	size_t qn, qhead;
	const struct eg_log *log;
};

/* sim_gate_init — shut, the traveller walks through, no faults. */
void sim_gate_init(struct sim_gate *g, const struct eg_log *log);

extern const struct gate_ops sim_gate_ops;

#endif
