/* SPDX-License-Identifier: Apache-2.0 */
/* camera_ring.c — the producer/consumer frame ring (camera_ring.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "camera_ring.h"
#include "egate/error.h"

enum slot_state { SLOT_FREE, SLOT_READY, SLOT_HELD };

struct slot {
	enum slot_state state;
	struct camera_frame meta;	/* data points at buf when READY/HELD */
	uint8_t *buf;
};

struct camera_ring {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* signalled on push and on gone */
	unsigned nslots;
	size_t slot_size;
	struct slot slots[CAMERA_RING_MAX_SLOTS];
	unsigned queue[CAMERA_RING_MAX_SLOTS];	/* READY slots, oldest first */
	unsigned qlen;
	bool gone;
	bool have_seq;
	uint64_t last_seq;
	uint64_t delivered;
	uint64_t dropped;
	uint64_t first_ns;
	uint64_t last_ns;
	uint64_t last_push_ns;	/* keeps timestamps strictly increasing */
};

int
camera_ring_new(unsigned nslots, size_t slot_size, struct camera_ring **out)
{
	struct camera_ring *r = NULL;
	pthread_condattr_t ca;
	int ret = EG_ERR_INVAL;

	*out = NULL;
	if (nslots == 0 || nslots > CAMERA_RING_MAX_SLOTS || slot_size == 0)
		goto out;
	ret = EG_ERR_NOMEM;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		goto out;
	r->nslots = nslots;
	r->slot_size = slot_size;
	for (unsigned i = 0; i < nslots; i++) {
		r->slots[i].buf = malloc(slot_size);
		if (r->slots[i].buf == NULL)
			goto out;
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cond, &ca);
	pthread_condattr_destroy(&ca);
	*out = r;
	r = NULL;
	ret = EG_OK;
out:
	if (r != NULL) {
		for (unsigned i = 0; i < r->nslots; i++)
			free(r->slots[i].buf);
		free(r);
	}
	return ret;
}

void
camera_ring_free(struct camera_ring **rp)
{
	struct camera_ring *r;

	if (rp == NULL || *rp == NULL)
		return;
	r = *rp;
	for (unsigned i = 0; i < r->nslots; i++)
		free(r->slots[i].buf);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
	*rp = NULL;
}

void
camera_ring_reset(struct camera_ring *r)
{
	pthread_mutex_lock(&r->lock);
	for (unsigned i = 0; i < r->nslots; i++)
		r->slots[i].state = SLOT_FREE;
	r->qlen = 0;
	r->gone = false;
	r->have_seq = false;
	r->last_seq = 0;
	r->delivered = r->dropped = 0;
	r->first_ns = r->last_ns = r->last_push_ns = 0;
	pthread_mutex_unlock(&r->lock);
}

size_t
camera_ring_slot_size(const struct camera_ring *r)
{
	return r->slot_size;
}

/* count frames the device skipped between the last sequence and this one */
static void
note_sequence(struct camera_ring *r, uint64_t seq)
{
	if (r->have_seq && seq > r->last_seq + 1)
		r->dropped += seq - r->last_seq - 1;
	if (!r->have_seq || seq > r->last_seq)
		r->last_seq = seq;
	r->have_seq = true;
}

int
camera_ring_push(struct camera_ring *r, const struct camera_frame *meta,
    const void *data, size_t len)
{
	struct slot *s = NULL;
	int ret;

	pthread_mutex_lock(&r->lock);
	note_sequence(r, meta->sequence);
	if (len == 0 || data == NULL) {
		r->dropped++;
		ret = EG_ERR_INVAL;
		goto out;
	}
	if (len > r->slot_size) {
		r->dropped++;
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	for (unsigned i = 0; i < r->nslots && s == NULL; i++)
		if (r->slots[i].state == SLOT_FREE)
			s = &r->slots[i];
	if (s == NULL && r->qlen > 0) {
		/* overwrite the oldest frame nobody has taken yet */
		s = &r->slots[r->queue[0]];
		memmove(r->queue, r->queue + 1, (r->qlen - 1) * sizeof(r->queue[0]));
		r->qlen--;
		s->state = SLOT_FREE;
		r->dropped++;
	}
	if (s == NULL) {
		r->dropped++;
		ret = EG_ERR_BUSY;
		goto out;
	}
	memcpy(s->buf, data, len);
	s->meta = *meta;
	s->meta.data = s->buf;
	s->meta.len = len;
	s->meta.slot_ = (uint32_t)(s - r->slots);
	if (s->meta.timestamp_ns <= r->last_push_ns)
		s->meta.timestamp_ns = r->last_push_ns + 1;
	r->last_push_ns = s->meta.timestamp_ns;
	s->state = SLOT_READY;
	r->queue[r->qlen++] = s->meta.slot_;
	pthread_cond_signal(&r->cond);
	ret = EG_OK;
out:
	pthread_mutex_unlock(&r->lock);
	return ret;
}

unsigned
camera_ring_flush(struct camera_ring *r)
{
	unsigned n;

	pthread_mutex_lock(&r->lock);
	n = (unsigned)r->qlen;
	for (size_t i = 0; i < r->qlen; i++)
		r->slots[r->queue[i]].state = SLOT_FREE;
	r->qlen = 0;
	pthread_mutex_unlock(&r->lock);
	return n;
}

static void
deadline_after(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int
camera_ring_pop(struct camera_ring *r, int timeout_ms, struct camera_frame *f)
{
	struct timespec deadline;
	struct slot *s;
	int ret = EG_ERR_TIMEOUT;

	memset(f, 0, sizeof(*f));
	if (timeout_ms < 0)
		timeout_ms = 0;
	deadline_after(&deadline, timeout_ms);
	pthread_mutex_lock(&r->lock);
	while (r->qlen == 0 && !r->gone) {
		if (pthread_cond_timedwait(&r->cond, &r->lock, &deadline) == ETIMEDOUT)
			break;
	}
	if (r->qlen == 0) {
		ret = r->gone ? EG_ERR_NO_DEVICE : EG_ERR_TIMEOUT;
		goto out;
	}
	s = &r->slots[r->queue[0]];
	memmove(r->queue, r->queue + 1, (r->qlen - 1) * sizeof(r->queue[0]));
	r->qlen--;
	s->state = SLOT_HELD;
	*f = s->meta;
	r->delivered++;
	if (r->first_ns == 0)
		r->first_ns = f->timestamp_ns;
	r->last_ns = f->timestamp_ns;
	ret = EG_OK;
out:
	pthread_mutex_unlock(&r->lock);
	return ret;
}

void
camera_ring_release(struct camera_ring *r, const struct camera_frame *f)
{
	struct slot *s;

	pthread_mutex_lock(&r->lock);
	if (f->slot_ < r->nslots) {
		s = &r->slots[f->slot_];
		if (s->state == SLOT_HELD && s->meta.sequence == f->sequence &&
		    s->meta.data == f->data)
			s->state = SLOT_FREE;
	}
	pthread_mutex_unlock(&r->lock);
}

void
camera_ring_set_gone(struct camera_ring *r)
{
	pthread_mutex_lock(&r->lock);
	r->gone = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

void
camera_ring_stats(struct camera_ring *r, struct camera_stats *st)
{
	pthread_mutex_lock(&r->lock);
	st->delivered = r->delivered;
	st->dropped = r->dropped;
	st->fps = 0;
	if (r->delivered >= 2 && r->last_ns > r->first_ns)
		st->fps = (double)(r->delivered - 1) * 1e9 / (double)(r->last_ns - r->first_ns);
	pthread_mutex_unlock(&r->lock);
}
