/* SPDX-License-Identifier: Apache-2.0 */
/* inbox.c — see inbox.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egate/error.h"
#include "inbox.h"

struct kiosk_inbox {
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* CLOCK_MONOTONIC */
	struct kiosk_command q[KIOSK_INBOX_MAX];
	size_t head, n;
};

int
kiosk_inbox_new(struct kiosk_inbox **out)
{
	struct kiosk_inbox *in = calloc(1, sizeof(*in));
	pthread_condattr_t ca;

	if (in == NULL)
		return EG_ERR_NOMEM;
	pthread_mutex_init(&in->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&in->cv, &ca);
	pthread_condattr_destroy(&ca);
	*out = in;
	return EG_OK;
}

void
kiosk_inbox_free(struct kiosk_inbox **inp)
{
	if (inp == NULL || *inp == NULL)
		return;
	pthread_cond_destroy(&(*inp)->cv);
	pthread_mutex_destroy(&(*inp)->mu);
	free(*inp);
	*inp = NULL;
}

static bool
fits(char *dst, size_t cap, const char *src)
{
	size_t n = src != NULL ? strlen(src) : 0;

	if (n >= cap)
		return false;
	memcpy(dst, src != NULL ? src : "", n);
	dst[n] = '\0';
	return true;
}

int
kiosk_inbox_post(struct kiosk_inbox *in, const Egate__OfficerCommand *c)
{
	struct kiosk_command k;
	int rc = EG_ERR_OVERFLOW;

	if (in == NULL || c == NULL)
		return EG_ERR_INVAL;
	memset(&k, 0, sizeof(k));
	k.id = c->command_id;
	k.action = c->action;
	k.passage_seq = c->passage_seq;
	if (!fits(k.officer, sizeof(k.officer), c->officer_id) ||
	    !fits(k.reason, sizeof(k.reason), c->reason))
		return EG_ERR_OVERFLOW;
	pthread_mutex_lock(&in->mu);
	if (in->n < KIOSK_INBOX_MAX) {
		in->q[(in->head + in->n) % KIOSK_INBOX_MAX] = k;
		in->n++;
		rc = EG_OK;
		pthread_cond_signal(&in->cv);
	}
	pthread_mutex_unlock(&in->mu);
	return rc;
}

bool
kiosk_inbox_take(struct kiosk_inbox *in, int wait_ms, struct kiosk_command *out)
{
	struct timespec end;
	bool got = false;

	if (in == NULL || out == NULL)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += wait_ms / 1000;
	end.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&in->mu);
	while (in->n == 0 && wait_ms > 0)
		if (pthread_cond_timedwait(&in->cv, &in->mu, &end) == ETIMEDOUT)
			break;
	if (in->n > 0) {
		*out = in->q[in->head];
		in->head = (in->head + 1) % KIOSK_INBOX_MAX;
		in->n--;
		got = true;
	}
	pthread_mutex_unlock(&in->mu);
	return got;
}
