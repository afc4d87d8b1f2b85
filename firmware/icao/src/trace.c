/* SPDX-License-Identifier: Apache-2.0 */
/* trace.c — the APDU trace formatter and its redaction rules (trace.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "egate/error.h"
#include "icao/iso7816.h"
#include "icao/trace.h"

struct line {
	char *p;
	size_t cap, len;
	bool cut;
};

static void
put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->cut || l->cap == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->p + l->len, l->cap - l->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= l->cap - l->len) {
		l->cut = true;
		l->len = l->cap - 1;
		if (l->cap >= 4)
			memcpy(l->p + l->cap - 4, "...", 4);
		return;
	}
	l->len += (size_t)n;
}

static void
put_hex(struct line *l, const uint8_t *d, size_t n)
{
	static const char hx[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n && !l->cut; i++) {
		if (l->len + 3 > l->cap) {
			l->cut = true;
			l->len = l->cap - 1;
			if (l->cap >= 4)
				memcpy(l->p + l->cap - 4, "...", 4);
			return;
		}
		l->p[l->len++] = hx[d[i] >> 4];
		l->p[l->len++] = hx[d[i] & 15];
		l->p[l->len] = '\0';
	}
}

/* Commands whose data (either way) is never written: key agreement and
 * authentication. */
static bool
secret_ins(uint8_t ins)
{
	return ins == ICAO_INS_MSE || ins == ICAO_INS_GENERAL_AUTH ||
	    ins == ICAO_INS_GET_CHALLENGE || ins == ICAO_INS_EXTERNAL_AUTH ||
	    ins == ICAO_INS_INTERNAL_AUTH;
}

/* Files whose contents are public chip parameters. */
static bool
public_file(const struct icao_tracer *t)
{
	if (t->cur_sfi == 0x1C || t->cur_fid == ICAO_FID_EF_CARDACCESS ||
	    t->cur_fid == ICAO_FID_EF_ATR_INFO)
		return true;
	/* EF.CardSecurity: 011D / SFI 1D in the MF (in the application the
	 * same identifiers are EF.SOD) */
	return !t->in_app && (t->cur_sfi == 0x1D || t->cur_fid == 0x011D);
}

static void
track(struct icao_tracer *t, const struct icao_apdu *a, uint16_t sw)
{
	if (a->ins == ICAO_INS_SELECT && sw == ICAO_SW_OK) {
		if (a->p1 == ICAO_SELECT_P1_DF_NAME) {
			t->in_app = true;
			t->cur_fid = 0;
			t->cur_sfi = 0;
		} else if (a->lc == 2 && a->data != NULL) {
			t->cur_fid = (uint16_t)(a->data[0] << 8 | a->data[1]);
			t->cur_sfi = 0;
			if (t->cur_fid == 0x3F00) {
				t->in_app = false;
				t->cur_fid = 0;
			}
		}
	} else if (a->ins == ICAO_INS_READ_BINARY &&
	    (a->p1 & ICAO_READ_P1_SFI) != 0) {
		t->cur_sfi = a->p1 & ICAO_SFI_MAX;
		t->cur_fid = 0;
	}
}

size_t
icao_tracer_line(struct icao_tracer *t, const struct icao_trace_ev *ev,
    char *out, size_t cap)
{
	struct line l = { out, cap, 0, false };
	const struct icao_apdu *a;
	bool rb;

	if (cap > 0)
		out[0] = '\0';
	if (t == NULL || ev == NULL || out == NULL || cap == 0)
		return 0;
	t->n++;
	switch (ev->kind) {
	case ICAO_TRACE_ATR:
		put(&l, "ATR ");
		put_hex(&l, ev->data, ev->dlen);
		t->in_app = false;	/* a reset: back in the MF */
		t->cur_fid = 0;
		t->cur_sfi = 0;
		return l.len;
	case ICAO_TRACE_NOTE:
		put(&l, "# %s", ev->note != NULL ? ev->note : "");
		if (ev->err != EG_OK)
			put(&l, " %s", eg_err_name(ev->err));
		put(&l, " %.2f ms", ev->ms);
		return l.len;
	case ICAO_TRACE_APDU:
		break;
	default:
		put(&l, "# unknown event");
		return l.len;
	}
	if ((a = ev->cmd) == NULL) {
		put(&l, "# command missing");
		return l.len;
	}
	put(&l, "> %02X %02X %02X %02X", a->cla, a->ins, a->p1, a->p2);
	if (a->lc > 0)
		put(&l, " Lc=%zu", a->lc);
	if (a->le > 0)
		put(&l, " Le=%u", (unsigned)a->le);
	if (a->force_extended)
		put(&l, " ext");
	if ((a->ins == ICAO_INS_SELECT || a->ins == ICAO_INS_READ_BINARY_ODD) &&
	    a->lc > 0 && a->data != NULL) {
		put(&l, " data=");
		put_hex(&l, a->data, a->lc);
	}
	put(&l, " %s wire=%zu/%zu", ev->protected ? "SM" : "plain",
	    ev->wire_clen, ev->wire_rlen);
	if (ev->get_responses > 0)
		put(&l, " get_response=%u", ev->get_responses);
	put(&l, " | < %zu B", ev->dlen);
	if (ev->sw != 0)
		put(&l, " SW %04X", ev->sw);
	if (ev->err != EG_OK && ev->err != EG_ERR_CARD_STATUS)
		put(&l, " %s", eg_err_name(ev->err));
	put(&l, " %.2f ms", ev->ms);
	track(t, a, ev->sw);
	rb = a->ins == ICAO_INS_READ_BINARY || a->ins == ICAO_INS_READ_BINARY_ODD;
	if (rb && ev->dlen > 0 && ev->data != NULL && !secret_ins(a->ins)) {
		if (public_file(t) || (t->flags & ICAO_TRACE_FILE_DATA) != 0) {
			put(&l, " data=");
			put_hex(&l, ev->data, ev->dlen);
		} else {
			put(&l, " data=(file contents omitted)");
		}
	}
	return l.len;
}
