/* SPDX-License-Identifier: Apache-2.0 */
/*
 * camera.c — the backend table, spec parsing, and the thin wrappers that
 * call through the chosen backend's ops (camera.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "camera.h"
#include "egate/error.h"

struct camera {
	const struct camera_ops *ops;
	void *priv;
	bool streaming;
	bool lost_logged;	/* camera.lost logged once per camera */
	const struct eg_log *log;
	char err[256];
};

/* The backends of the product; the caller may add more (opt->extra). */
static const struct camera_ops *const builtin[] = {
	&camera_uvc_ops,
	NULL,
};

static const struct camera_ops *
find_backend(const struct camera_ops *const *list, const char *spec, size_t namelen)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++)
		if (strlen(list[i]->name) == namelen && strncmp(list[i]->name, spec, namelen) == 0)
			return list[i];
	return NULL;
}

static void
usage_list(const struct camera_options *opt, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int l = 0; l < 2; l++) {
		const struct camera_ops *const *list = l == 0 ? builtin : opt->extra;

		for (size_t i = 0; list != NULL && list[i] != NULL && n < cap; i++)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? ", " : "",
			    list[i]->usage != NULL ? list[i]->usage : list[i]->name);
	}
}

static void
set_err(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
}

int
camera_open(const char *spec, const struct camera_options *opt, struct camera **out,
    char *err, size_t errlen)
{
	static const struct camera_options defaults = { 0 };
	struct camera *cam = NULL;
	const struct camera_ops *ops = NULL;
	const char *arg = "";
	size_t namelen;
	int ret = EG_ERR_INVAL;

	if (out != NULL)
		*out = NULL;
	set_err(err, errlen, "");
	if (spec == NULL || out == NULL) {
		set_err(err, errlen, "no camera spec");
		goto out;
	}
	if (opt == NULL)
		opt = &defaults;
	namelen = strcspn(spec, ":");
	if (spec[namelen] == ':')
		arg = spec + namelen + 1;
	if ((ops = find_backend(builtin, spec, namelen)) == NULL)
		ops = find_backend(opt->extra, spec, namelen);
	if (ops == NULL) {
		char use[160];

		usage_list(opt, use, sizeof(use));
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "camera spec '%.64s': unknown backend (this build takes %s)",
			    spec, use);
		goto out;
	}
	cam = calloc(1, sizeof(*cam));
	if (cam == NULL) {
		ret = EG_ERR_NOMEM;
		set_err(err, errlen, "out of memory");
		goto out;
	}
	cam->ops = ops;
	cam->log = opt->log;
	ret = ops->open(cam, arg, opt);
	if (ret != EG_OK) {
		if (cam->err[0] == '\0')
			snprintf(cam->err, sizeof(cam->err), "%s: %s", ops->name, eg_strerror(ret));
		set_err(err, errlen, cam->err);
		EG_LOG(opt->log, EG_LOG_WARN, "camera.open_failed", EG_STR("backend", ops->name),
		    EG_ERRF(ret), EG_STR("why", cam->err));
		free(cam);
		cam = NULL;
		goto out;
	}
	EG_LOG(opt->log, EG_LOG_INFO, "camera.open", EG_STR("backend", ops->name));
	*out = cam;
	cam = NULL;
out:
	return ret;
}

void
camera_free(struct camera **camp)
{
	struct camera *cam;

	if (camp == NULL || *camp == NULL)
		return;
	cam = *camp;
	if (cam->streaming)
		(void)camera_stop(cam);
	cam->ops->close(cam);
	free(cam);
	*camp = NULL;
}

const char *
camera_backend_name(const struct camera *cam)
{
	return cam->ops->name;
}

int
camera_list_modes(struct camera *cam, struct camera_mode *modes, size_t cap, size_t *n)
{
	cam->err[0] = '\0';
	return cam->ops->list_modes(cam, modes, cap, n);
}

int
camera_set_format(struct camera *cam, const struct camera_format *want,
    struct camera_format *got)
{
	struct camera_format dummy;
	int ret;

	cam->err[0] = '\0';
	if (cam->streaming) {
		camera_set_error(cam, "cannot change the format while streaming");
		return EG_ERR_STATE;
	}
	if (got == NULL)
		got = &dummy;
	ret = cam->ops->set_format(cam, want, got);
	if (ret == EG_OK)
		EG_LOG(cam->log, EG_LOG_INFO, "camera.format", EG_STR("format",
		    camera_pixfmt_name(got->pixfmt)), EG_UINT("width", got->width),
		    EG_UINT("height", got->height), EG_UINT("fps", got->fps));
	return ret;
}

int
camera_start(struct camera *cam)
{
	int ret;

	cam->err[0] = '\0';
	if (cam->streaming) {
		camera_set_error(cam, "already streaming");
		return EG_ERR_STATE;
	}
	ret = cam->ops->start(cam);
	if (ret == EG_OK)
		cam->streaming = true;
	if (ret == EG_OK)
		EG_LOG(cam->log, EG_LOG_INFO, "camera.start", EG_STR("backend", cam->ops->name));
	else
		EG_LOG(cam->log, EG_LOG_WARN, "camera.start_failed", EG_STR("backend", cam->ops->name),
		    EG_ERRF(ret), EG_STR("why", cam->err));
	return ret;
}

int
camera_stop(struct camera *cam)
{
	struct camera_stats st = { 0 };

	cam->err[0] = '\0';
	if (!cam->streaming)
		return EG_OK;
	cam->ops->stats(cam, &st);
	EG_LOG(cam->log, EG_LOG_INFO, "camera.stop", EG_STR("backend", cam->ops->name),
	    EG_UINT("delivered", st.delivered), EG_UINT("dropped", st.dropped),
	    EG_DBL("fps", st.fps));
	cam->streaming = false;
	return cam->ops->stop(cam);
}

int
camera_next_frame(struct camera *cam, int timeout_ms, struct camera_frame *f)
{
	int ret;

	memset(f, 0, sizeof(*f));
	cam->err[0] = '\0';
	if (!cam->streaming) {
		camera_set_error(cam, "not streaming: call camera_start first");
		return EG_ERR_STATE;
	}
	ret = cam->ops->next_frame(cam, timeout_ms, f);
	if (ret == EG_ERR_NO_DEVICE && !cam->lost_logged) {
		cam->lost_logged = true;
		EG_LOG(cam->log, EG_LOG_ERROR, "camera.lost", EG_STR("backend", cam->ops->name),
		    EG_STR("why", cam->err));
	}
	return ret;
}

void
camera_release_frame(struct camera *cam, struct camera_frame *f)
{
	if (f == NULL || f->data == NULL)
		return;
	if (cam->streaming)
		cam->ops->release_frame(cam, f);
	memset(f, 0, sizeof(*f));
}

int
camera_set_exposure(struct camera *cam, enum camera_exposure mode, uint32_t value_100us)
{
	cam->err[0] = '\0';
	if (mode != CAMERA_EXPOSURE_AUTO && mode != CAMERA_EXPOSURE_MANUAL)
		return EG_ERR_INVAL;
	return cam->ops->set_exposure(cam, mode, value_100us);
}

void
camera_get_stats(struct camera *cam, struct camera_stats *st)
{
	memset(st, 0, sizeof(*st));
	cam->ops->stats(cam, st);
}

const char *
camera_error(const struct camera *cam)
{
	return cam->err;
}

void *
camera_priv(struct camera *cam)
{
	return cam->priv;
}

void
camera_set_priv(struct camera *cam, void *priv)
{
	cam->priv = priv;
}

void
camera_set_error(struct camera *cam, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cam->err, sizeof(cam->err), fmt, ap);
	va_end(ap);
}

const struct eg_log *
camera_log(const struct camera *cam)
{
	return cam->log;
}

uint64_t
camera_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const char *const pixfmt_names[] = {
	[CAMERA_FMT_NONE] = "none",
	[CAMERA_FMT_MJPEG] = "mjpeg",
	[CAMERA_FMT_YUYV] = "yuyv",
	[CAMERA_FMT_BGR24] = "bgr24",
};

const char *
camera_pixfmt_name(enum camera_pixfmt f)
{
	if ((unsigned)f >= sizeof(pixfmt_names) / sizeof(pixfmt_names[0]))
		return "unknown";
	return pixfmt_names[f];
}

int
camera_pixfmt_parse(const char *s, enum camera_pixfmt *out)
{
	for (unsigned i = CAMERA_FMT_MJPEG; i < sizeof(pixfmt_names) / sizeof(pixfmt_names[0]); i++)
		if (strcasecmp(s, pixfmt_names[i]) == 0) {
			*out = (enum camera_pixfmt)i;
			return EG_OK;
		}
	return EG_ERR_INVAL;
}
