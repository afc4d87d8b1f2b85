/* SPDX-License-Identifier: Apache-2.0 */
/* gate_model.c — the in-memory gate of the tests (see gate_model.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "egate/error.h"
#include "gate_model.h"

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The model's time now (lock held). */
static uint64_t
tnow(struct gate_model *m)
{
	return m->realtime ? mono_ms() - m->t0 : m->now;
}

void
gate_model_init(struct gate_model *m, bool realtime)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	m->realtime = realtime;
	m->t0 = mono_ms();
	m->now = 1000;
	m->door_follows = true;
	m->travel_ms = 300;
	m->traveller = true;
	m->walk_delay_ms = 200;
	m->walk_ms = 400;
	m->present = true;
	m->level[GATE_LINE_DOOR_CLOSED] = true;
	for (int r = 0; r < GATE_LINE_COUNT; r++)
		m->cfg.offset[r] = -1;
}

void
gate_model_fini(struct gate_model *m)
{
	pthread_mutex_destroy(&m->lock);
}

static void
sched_add_mech(struct gate_model *m, uint64_t at, enum gm_what what, enum gate_line_role role,
    bool level, bool mech)
{
	size_t i = m->nsched;

	if (m->nsched == GM_SCHED) {
		fprintf(stderr, "gate_model: schedule full\n");
		return;
	}
	while (i > 0 && m->sched[i - 1].at > at) {
		m->sched[i] = m->sched[i - 1];
		i--;
	}
	m->sched[i] = (struct gm_item){ at, what, role, level, mech };
	m->nsched++;
}

static void
sched_add(struct gate_model *m, uint64_t at, enum gm_what what, enum gate_line_role role, bool level)
{
	sched_add_mech(m, at, what, role, level, false);
}

/* A sensor reaching level L at t, with the contact's bounce. */
static void
sensor_to(struct gate_model *m, uint64_t t, enum gate_line_role role, bool level)
{
	bool mech = role != GATE_LINE_PASSAGE;

	sched_add_mech(m, t, GM_LEVEL, role, level, mech);
	for (unsigned b = 0; b < m->bounce; b++) {
		sched_add_mech(m, t + 2 * b + 1, GM_LEVEL, role, !level, mech);
		sched_add_mech(m, t + 2 * b + 2, GM_LEVEL, role, level, mech);
	}
}

/* The level a door sensor will settle at once what is scheduled is done. */
static bool
final_level(const struct gate_model *m, enum gate_line_role role)
{
	bool v = m->level[role];

	for (size_t i = 0; i < m->nsched; i++)
		if (m->sched[i].what == GM_LEVEL && m->sched[i].role == role)
			v = m->sched[i].level;
	return v;
}

/* The door follows the relay (lock held). */
static void
door_move(struct gate_model *m, bool open)
{
	uint64_t t = tnow(m);
	size_t k = 0;

	if (!m->door_follows)
		return;
	/* a door told the other way stops where it is and turns: what its
	 * travel had still to do is cancelled */
	for (size_t i = 0; i < m->nsched; i++)
		if (!m->sched[i].mech)
			m->sched[k++] = m->sched[i];
	m->nsched = k;
	if (open) {
		if (final_level(m, GATE_LINE_DOOR_CLOSED))
			sensor_to(m, t + 10, GATE_LINE_DOOR_CLOSED, false);
		if (!final_level(m, GATE_LINE_DOOR_OPEN))
			sensor_to(m, t + m->travel_ms, GATE_LINE_DOOR_OPEN, true);
		if (m->traveller) {
			sensor_to(m, t + m->travel_ms + m->walk_delay_ms, GATE_LINE_PASSAGE, true);
			sensor_to(m, t + m->travel_ms + m->walk_delay_ms + m->walk_ms,
			    GATE_LINE_PASSAGE, false);
		}
	} else {
		if (final_level(m, GATE_LINE_DOOR_OPEN))
			sensor_to(m, t + 10, GATE_LINE_DOOR_OPEN, false);
		if (!final_level(m, GATE_LINE_DOOR_CLOSED))
			sensor_to(m, t + m->travel_ms, GATE_LINE_DOOR_CLOSED, true);
	}
}

static bool
requested(const struct gate_model *m, enum gate_line_role role)
{
	return m->is_open && role != GATE_LINE_RELAY && m->cfg.offset[role] >= 0;
}

/* Apply every scheduled change due by t (lock held). */
static void
apply_until(struct gate_model *m, uint64_t t)
{
	while (m->nsched > 0 && m->sched[0].at <= t) {
		struct gm_item it = m->sched[0];

		memmove(&m->sched[0], &m->sched[1], (m->nsched - 1) * sizeof(m->sched[0]));
		m->nsched--;
		if (!m->realtime && it.at > m->now)
			m->now = it.at;
		switch (it.what) {
		case GM_GONE:
			m->gone = true;
			m->present = false;
			m->nedges = 0;
			break;
		case GM_BACK:
			m->present = true;
			break;
		default:
			m->level[it.role] = it.level;
			if (requested(m, it.role) && !m->gone && m->nedges < GM_EDGES)
				m->edges[m->nedges++] = (struct gate_line_edge){ it.role, it.level,
				    m->realtime ? tnow(m) : it.at };
			break;
		}
	}
	if (!m->realtime && t > m->now)
		m->now = t;
}

void
gate_model_at(struct gate_model *m, unsigned ms, enum gm_what what, enum gate_line_role role,
    bool level)
{
	pthread_mutex_lock(&m->lock);
	sched_add(m, tnow(m) + ms, what, role, level);
	pthread_mutex_unlock(&m->lock);
}

void
gate_model_move_door(struct gate_model *m, unsigned ms)
{
	pthread_mutex_lock(&m->lock);
	sched_add(m, tnow(m) + 1, GM_LEVEL, GATE_LINE_DOOR_CLOSED, false);
	sched_add(m, tnow(m) + ms, GM_LEVEL, GATE_LINE_DOOR_CLOSED, true);
	pthread_mutex_unlock(&m->lock);
}

void
gate_model_relay(struct gate_model *m, bool on)
{
	pthread_mutex_lock(&m->lock);
	if (on)
		m->relay_on_count++;
	if (on != m->relay)
		door_move(m, on);
	m->relay = on;
	pthread_mutex_unlock(&m->lock);
}

uint64_t
gate_model_now(struct gate_model *m)
{
	uint64_t t;

	pthread_mutex_lock(&m->lock);
	t = tnow(m);
	pthread_mutex_unlock(&m->lock);
	return t;
}

/* ---- the line ops ------------------------------------------------------------------------------ */

static int
gm_open(void *self, const char *chip, const struct gate_line_cfg *cfg, void **ctx, char *err,
    size_t errlen)
{
	struct gate_model *m = self;
	int ret = EG_OK;

	pthread_mutex_lock(&m->lock);
	apply_until(m, tnow(m));
	if (!m->present) {
		eg_errbuf(err, errlen, "gpio: chip '%s': no such chip", chip);
		ret = EG_ERR_NOT_FOUND;
		goto out;
	}
	if (m->busy) {
		eg_errbuf(err, errlen, "%s", "gpio: relay line: Device or resource busy, held by "
		    "another");
		ret = EG_ERR_BUSY;
		goto out;
	}
	for (int r = 0; r < GATE_LINE_COUNT; r++)
		if (cfg->offset[r] >= GM_LINES) {
			eg_errbuf(err, errlen, "gpio: %s=%d, but the chip has lines 0..%d",
			    gate_line_role_str((enum gate_line_role)r), cfg->offset[r], GM_LINES - 1);
			ret = EG_ERR_INVAL;
			goto out;
		}
	m->cfg = *cfg;
	snprintf(m->chip, sizeof(m->chip), "%s", chip);
	m->is_open = true;
	m->gone = false;
	m->nedges = 0;
	m->opens++;
	/* a requested output starts inactive, like the kernel's default */
	if (cfg->offset[GATE_LINE_RELAY] >= 0 && m->relay) {
		m->relay = false;
		door_move(m, false);
	}
	*ctx = m;
out:
	pthread_mutex_unlock(&m->lock);
	return ret;
}

static int
gm_set(void *ctx, enum gate_line_role role, bool active)
{
	struct gate_model *m = ctx;
	int ret = EG_OK;

	pthread_mutex_lock(&m->lock);
	apply_until(m, tnow(m));
	if (m->gone) {
		ret = EG_ERR_NO_DEVICE;
		goto out;
	}
	if (role != GATE_LINE_RELAY || m->cfg.offset[role] < 0) {
		ret = EG_ERR_INVAL;
		goto out;
	}
	if (m->set_io_error) {
		ret = EG_ERR_IO;
		goto out;
	}
	m->relay_sets++;
	if (active)
		m->relay_on_count++;
	if (active != m->relay)
		door_move(m, active);
	m->relay = active;
out:
	pthread_mutex_unlock(&m->lock);
	return ret;
}

static int
gm_get(void *ctx, enum gate_line_role role, bool *active)
{
	struct gate_model *m = ctx;
	int ret = EG_OK;

	pthread_mutex_lock(&m->lock);
	apply_until(m, tnow(m));
	if (m->gone)
		ret = EG_ERR_NO_DEVICE;
	else if (m->cfg.offset[role] < 0)
		ret = EG_ERR_INVAL;
	else if (m->get_io_error)
		ret = EG_ERR_IO;
	else
		*active = role == GATE_LINE_RELAY ? m->relay : m->level[role];
	pthread_mutex_unlock(&m->lock);
	return ret;
}

static int
gm_wait(void *ctx, unsigned timeout_ms, struct gate_line_edge *e)
{
	struct gate_model *m = ctx;
	uint64_t deadline;
	int ret = EG_ERR_TIMEOUT;

	pthread_mutex_lock(&m->lock);
	deadline = tnow(m) + timeout_ms;
	for (;;) {
		if (m->realtime)
			apply_until(m, tnow(m));
		if (m->gone) {
			ret = EG_ERR_NO_DEVICE;
			break;
		}
		if (m->wait_io_error) {
			ret = EG_ERR_IO;
			break;
		}
		if (m->nedges > 0) {
			*e = m->edges[0];
			memmove(&m->edges[0], &m->edges[1], (m->nedges - 1) * sizeof(m->edges[0]));
			m->nedges--;
			ret = EG_OK;
			break;
		}
		if (!m->realtime) {
			/* virtual time: jump to the next change, or to the deadline */
			if (m->nsched > 0 && m->sched[0].at <= deadline) {
				apply_until(m, m->sched[0].at);
				continue;
			}
			apply_until(m, deadline);
			break;
		}
		if (tnow(m) >= deadline)
			break;
		pthread_mutex_unlock(&m->lock);
		{
			struct timespec ts = { 0, 2 * 1000 * 1000 };

			while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
				;
		}
		pthread_mutex_lock(&m->lock);
	}
	pthread_mutex_unlock(&m->lock);
	return ret;
}

static void
gm_close(void *ctx)
{
	struct gate_model *m = ctx;

	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->is_open = false;
	m->nedges = 0;
	pthread_mutex_unlock(&m->lock);
}

const struct gate_line_ops gate_model_lines = {
	.name = "model",
	.open = gm_open,
	.set = gm_set,
	.get = gm_get,
	.wait = gm_wait,
	.close = gm_close,
};

static uint64_t
gmc_now(void *self)
{
	return gate_model_now(self);
}

static void
gmc_sleep(void *self, unsigned ms)
{
	struct gate_model *m = self;

	if (m->realtime) {
		struct timespec ts = { (time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L };

		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		return;
	}
	pthread_mutex_lock(&m->lock);
	apply_until(m, m->now + ms);
	pthread_mutex_unlock(&m->lock);
}

const struct gate_clock_ops gate_model_clock = {
	.now_ms = gmc_now,
	.sleep_ms = gmc_sleep,
};
