/* SPDX-License-Identifier: Apache-2.0 */
/*
 * camera_ring.h — a small ring of preallocated frame buffers between a
 * producer thread (libuvc's frame callback) and the consumer that pulls with
 * camera_next_frame. Nothing is allocated per frame.
 *
 * Each slot is FREE, READY (filled, queued in arrival order) or HELD (handed
 * to the consumer). When a frame arrives and no slot is FREE, the oldest
 * READY frame is overwritten (the consumer wants the freshest picture of the
 * traveller, not a backlog) and counted as dropped; if every slot is HELD the
 * new frame is dropped. A frame larger than a slot is dropped and counted.
 * Sequence gaps reported by the producer are counted as drops too.
 */
#ifndef EGATE_CAMERA_RING_H
#define EGATE_CAMERA_RING_H

#include <stddef.h>
#include <stdint.h>

#include "camera.h"

#define CAMERA_RING_MAX_SLOTS 16

struct camera_ring;

/* camera_ring_new — nslots (1..CAMERA_RING_MAX_SLOTS) buffers of slot_size
 * bytes. EG_OK, EG_ERR_INVAL, EG_ERR_NOMEM. *out owned by the caller. */
int camera_ring_new(unsigned nslots, size_t slot_size, struct camera_ring **out);
/* camera_ring_free — NULL-safe; *r = NULL. No thread may use it any more. */
void camera_ring_free(struct camera_ring **r);
/* camera_ring_reset — every slot FREE, counters zero (before streaming). */
void camera_ring_reset(struct camera_ring *r);

/*
 * camera_ring_push — copy a frame in (producer side). meta gives format,
 * size, stride, sequence (the device's: a jump forward counts the skipped
 * frames as dropped) and timestamp; meta->data/len are ignored, data/len is what
 * is copied. Returns EG_OK (stored, possibly by overwriting an older frame),
 * EG_ERR_BUSY (every slot held: dropped), EG_ERR_OVERFLOW (frame larger than
 * a slot: dropped), EG_ERR_INVAL (len 0: dropped).
 */
int camera_ring_push(struct camera_ring *r, const struct camera_frame *meta,
    const void *data, size_t len);
/*
 * camera_ring_pop — wait up to timeout_ms (0: do not wait) for the oldest
 * READY frame; on EG_OK it is HELD and *f points into the ring.
 * EG_ERR_TIMEOUT, EG_ERR_NO_DEVICE after camera_ring_set_gone().
 */
int camera_ring_pop(struct camera_ring *r, int timeout_ms, struct camera_frame *f);
/* camera_ring_flush — every READY frame becomes FREE (frames the consumer
 * has not taken yet are stale: they show the scene before it asked); HELD
 * frames stay held. Returns how many were discarded; they are not counted
 * as drops (the consumer chose to skip them). */
unsigned camera_ring_flush(struct camera_ring *r);
/* camera_ring_release — give a HELD frame back (matched by slot and
 * sequence; anything else is ignored). */
void camera_ring_release(struct camera_ring *r, const struct camera_frame *f);
/* camera_ring_set_gone — the device disappeared: wake the consumer, and
 * every later pop returns EG_ERR_NO_DEVICE once the queue is empty. */
void camera_ring_set_gone(struct camera_ring *r);
/* camera_ring_stats — counters since new/reset. */
void camera_ring_stats(struct camera_ring *r, struct camera_stats *st);
/* camera_ring_slot_size — bytes per slot. */
size_t camera_ring_slot_size(const struct camera_ring *r);

#endif
