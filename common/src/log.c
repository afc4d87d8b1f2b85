/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egate/error.h"
#include "egate/log.h"

static const char *const level_names[] = {
	[EG_LOG_DEBUG] = "debug",
	[EG_LOG_INFO] = "info",
	[EG_LOG_NOTICE] = "notice",
	[EG_LOG_WARN] = "warn",
	[EG_LOG_ERROR] = "error",
};

/* syslog priorities for journald's "<N>" prefix (sd-daemon.h). */
static const int level_prio[] = {
	[EG_LOG_DEBUG] = 7,
	[EG_LOG_INFO] = 6,
	[EG_LOG_NOTICE] = 5,
	[EG_LOG_WARN] = 4,
	[EG_LOG_ERROR] = 3,
};

#define LINE_MAX_BYTES 4096
#define HEX_MAX_BYTES 64	/* longer hex fields are cut and marked */

void
eg_log_init(struct eg_log *lg, const char *component)
{
	const char *js = getenv("JOURNAL_STREAM");

	memset(lg, 0, sizeof(*lg));
	lg->min_level = EG_LOG_INFO;
	lg->component = component;
	lg->journal = js != NULL && *js != '\0';
	lg->timestamps = !lg->journal;
}

void
eg_log_allow_sensitive(struct eg_log *lg, bool personal, bool secrets)
{
	lg->show_personal = personal;
	lg->show_secrets = secrets;
	if (personal || secrets)
		EG_LOG(lg, EG_LOG_WARN, "log.sensitive_enabled",
		    EG_BOOL("personal_data", personal), EG_BOOL("secrets", secrets),
		    EG_STR("note", "debug only: this log may now hold data that must not leave the device"));
}

const char *
eg_log_level_str(enum eg_log_level l)
{
	if ((unsigned)l < sizeof(level_names) / sizeof(level_names[0]))
		return level_names[l];
	return "unknown";
}

int
eg_log_level_parse(const char *s, enum eg_log_level *out)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum eg_log_level)i;
			return EG_OK;
		}
	}
	if (strcmp(s, "warning") == 0) {
		*out = EG_LOG_WARN;
		return EG_OK;
	}
	return EG_ERR_INVAL;
}

/* A fixed line buffer: output is cut, never overflowed. */
struct line {
	char buf[LINE_MAX_BYTES];
	size_t len;
	bool cut;
};

static void
line_putc(struct line *l, char c)
{
	if (l->len + 1 < sizeof(l->buf))
		l->buf[l->len++] = c;
	else
		l->cut = true;
}

static void
line_puts(struct line *l, const char *s)
{
	while (*s != '\0')
		line_putc(l, *s++);
}

static void
line_printf(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
line_printf(struct line *l, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	line_puts(l, tmp);
}

static bool
needs_quotes(const char *s)
{
	if (*s == '\0')
		return true;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f)
			return true;
	}
	return false;
}

/* Keys are ours (string literals), but sanitise anyway: [A-Za-z0-9_.-]. */
static void
put_key(struct line *l, const char *k)
{
	if (k == NULL || *k == '\0')
		k = "_";
	for (; *k != '\0'; k++) {
		char c = *k;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
		line_putc(l, ok ? c : '_');
	}
}

static void
put_str(struct line *l, const char *s)
{
	static const char hx[] = "0123456789abcdef";

	if (s == NULL) {
		line_puts(l, "(null)");
		return;
	}
	if (!needs_quotes(s)) {
		line_puts(l, s);
		return;
	}
	line_putc(l, '"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			line_putc(l, '\\');
			line_putc(l, (char)c);
		} else if (c == '\n') {
			line_puts(l, "\\n");
		} else if (c < 0x20 || c == 0x7f) {
			line_puts(l, "\\x");
			line_putc(l, hx[c >> 4]);
			line_putc(l, hx[c & 15]);
		} else {
			line_putc(l, (char)c);
		}
	}
	line_putc(l, '"');
}

static void
put_field(struct line *l, const struct eg_log *lg, const struct eg_log_field *f)
{
	static const char hx[] = "0123456789ABCDEF";

	line_putc(l, ' ');
	put_key(l, f->key);
	line_putc(l, '=');
	if (((f->flags & EG_LOG_SECRET) && !lg->show_secrets) ||
	    ((f->flags & EG_LOG_PERSONAL) && !lg->show_personal)) {
		line_puts(l, "[redacted]");
		return;
	}
	switch (f->kind) {
	case EG_LOG_F_STR:
		put_str(l, f->v.s);
		break;
	case EG_LOG_F_INT:
		line_printf(l, "%lld", f->v.i);
		break;
	case EG_LOG_F_UINT:
		line_printf(l, "%llu", f->v.u);
		break;
	case EG_LOG_F_DBL:
		line_printf(l, "%.6g", f->v.d);
		break;
	case EG_LOG_F_BOOL:
		line_puts(l, f->v.b ? "true" : "false");
		break;
	case EG_LOG_F_HEX: {
		const unsigned char *p = f->v.hex.p;
		size_t n = f->v.hex.n;
		if (p == NULL)
			n = 0;
		for (size_t i = 0; i < n && i < HEX_MAX_BYTES; i++) {
			line_putc(l, hx[p[i] >> 4]);
			line_putc(l, hx[p[i] & 15]);
		}
		if (n > HEX_MAX_BYTES)
			line_printf(l, "...(%zu bytes)", n);
		break;
	}
	case EG_LOG_F_END:
		break;
	}
}

void
eg_log_emit(const struct eg_log *lg, enum eg_log_level level, const char *event, ...)
{
	struct line l;
	va_list ap;
	FILE *out;

	if (lg == NULL || level < lg->min_level)
		return;
	if ((unsigned)level > EG_LOG_ERROR)
		level = EG_LOG_ERROR;
	l.len = 0;
	l.cut = false;
	if (lg->journal)
		line_printf(&l, "<%d>", level_prio[level]);
	if (lg->timestamps) {
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		line_printf(&l, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		    tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	}
	line_puts(&l, "level=");
	line_puts(&l, level_names[level]);
	if (lg->component != NULL) {
		line_puts(&l, " comp=");
		put_str(&l, lg->component);
	}
	line_puts(&l, " event=");
	put_str(&l, event);

	va_start(ap, event);
	for (;;) {
		struct eg_log_field f = va_arg(ap, struct eg_log_field);
		if (f.kind == EG_LOG_F_END)
			break;
		put_field(&l, lg, &f);
	}
	va_end(ap);

	if (l.cut) {
		/* keep room for the marker */
		static const char mark[] = " truncated=true";
		l.len = sizeof(l.buf) - sizeof(mark);
		memcpy(l.buf + l.len, mark, sizeof(mark) - 1);
		l.len += sizeof(mark) - 1;
	}
	l.buf[l.len++] = '\n';
	out = lg->out != NULL ? lg->out : stderr;
	fwrite(l.buf, 1, l.len, out);
	fflush(out);
}
