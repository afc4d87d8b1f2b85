/* SPDX-License-Identifier: Apache-2.0 */
/*
 * camera_sim.c — the simulated camera (docs/camera.md).
 *
 * "sim:DIR" plays the images of a folder in name order, one per frame,
 * looping. "sim:FILE" plays a scene script (scene.h) on a frame clock: frame
 * k belongs to scene time k/fps, so a scene behaves identically in paced and
 * fast mode; only the timestamps and the sleeping differ. JPEG files are
 * delivered as MJPEG frames byte for byte; PPM files as BGR24 pixels, or,
 * if asked and the width is even, converted once at open to YUYV.
 *
 * Paced mode sleeps until each frame is due (CLOCK_MONOTONIC, absolute) and
 * stamps it with the real time of delivery. Fast mode never sleeps and
 * stamps frame k with start + k/fps exactly. The sim never drops a frame on
 * its own: a slow consumer only delays frames. Drops come from the scene.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "camera.h"
#include "camera_image.h"
#include "egate/error.h"
#include "scene.h"

#define SIM_MAX_FILES 256
#define SIM_MAX_FILE_BYTES (32u << 20)
#define SIM_MAX_TOTAL_BYTES (256u << 20)	/* all images of one sim, loaded */
#define SIM_MAX_HELD 8
#define SIM_SLOT_TAG 0x53494du	/* marks frames handed out by the sim */
#define SIM_DEFAULT_FPS 30

struct sim_image {
	char *name;
	uint8_t *file;		/* the file's bytes */
	size_t file_len;
	uint8_t *bgr;		/* PPM only: converted pixels */
	uint8_t *yuyv;		/* PPM of even width only: the same as YUYV */
	struct camera_image info;
};

struct sim {
	bool fast;
	struct scene *scene;	/* NULL: folder mode */
	struct sim_image *images;
	size_t nimages;
	size_t total_bytes;
	struct camera_mode mode;	/* the images' own format */
	bool yuyv_ok;			/* PPM of even width: YUYV offered too */
	enum camera_pixfmt pixfmt;	/* what frames are delivered as */
	uint32_t fps;
	/* streaming state */
	bool unplugged;
	uint64_t k;		/* frames produced since start (incl. dropped) */
	uint64_t scene_k;	/* frame index within the current loop */
	size_t next_event;
	size_t current;		/* image shown */
	uint32_t drop_pending;
	uint64_t start_ns;
	uint64_t last_ts;
	unsigned held;
	struct camera_stats st;
	uint64_t first_ts;
};

static bool
has_image_suffix(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && (strcasecmp(name + n - 4, ".jpg") == 0 ||
	    strcasecmp(name + n - 4, ".ppm") == 0)) ||
	    (n > 5 && strcasecmp(name + n - 5, ".jpeg") == 0);
}

/* read a whole regular file of at most max bytes */
static int
read_file(const char *path, size_t max, uint8_t **out, size_t *len)
{
	struct stat sb;
	uint8_t *buf = NULL;
	size_t got = 0;
	ssize_t r;
	int fd, ret = EG_ERR_IO;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? EG_ERR_NOT_FOUND : errno == EACCES ? EG_ERR_PERM : EG_ERR_IO;
	if (fstat(fd, &sb) != 0)
		goto out;
	if (!S_ISREG(sb.st_mode)) {
		ret = EG_ERR_INVAL;
		goto out;
	}
	if ((uint64_t)sb.st_size > max) {
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (buf == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		r = read(fd, buf + got, (size_t)sb.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto out;
		got += (size_t)r;
	}
	buf[got] = 0;
	*out = buf;
	*len = got;
	buf = NULL;
	ret = EG_OK;
out:
	free(buf);
	close(fd);
	return ret;
}

/* load one image file and check it matches the others */
static int
load_image(struct camera *cam, struct sim *s, const char *dir, const char *name)
{
	struct sim_image *im = &s->images[s->nimages];
	char path[4096];
	size_t npix;
	int ret;

	memset(im, 0, sizeof(*im));
	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		camera_set_error(cam, "sim: path too long: %.100s", name);
		return EG_ERR_INVAL;
	}
	im->name = strdup(name);
	if (im->name == NULL)
		return EG_ERR_NOMEM;
	s->nimages++;		/* owned from here on, freed by sim_release */
	ret = read_file(path, SIM_MAX_FILE_BYTES, &im->file, &im->file_len);
	if (ret != EG_OK) {
		camera_set_error(cam, "sim: cannot read %.200s: %s", path,
		    ret == EG_ERR_OVERFLOW ? "larger than 32 MiB" : eg_strerror(ret));
		return ret;
	}
	s->total_bytes += im->file_len;
	if (s->total_bytes > SIM_MAX_TOTAL_BYTES) {
		camera_set_error(cam, "sim: the images take more than 256 MiB (at %.200s)", path);
		return EG_ERR_OVERFLOW;
	}
	ret = camera_image_probe(im->file, im->file_len, &im->info);
	if (ret != EG_OK) {
		camera_set_error(cam, "sim: %.200s is not a usable JPEG or binary PPM (P6, 8-bit): %s",
		    path, eg_strerror(ret));
		return EG_ERR_FORMAT;
	}
	if (im->info.pixfmt == CAMERA_FMT_BGR24) {
		npix = (size_t)im->info.width * im->info.height;
		im->bgr = malloc(npix * 3);
		if (im->bgr == NULL)
			return EG_ERR_NOMEM;
		ret = camera_ppm_to_bgr(im->file, im->file_len, &im->info, im->bgr, npix * 3);
		if (ret != EG_OK)
			return ret;
		if (im->info.width % 2 == 0) {
			im->yuyv = malloc(npix * 2);
			if (im->yuyv == NULL)
				return EG_ERR_NOMEM;
			ret = camera_bgr_to_yuyv(im->bgr, im->info.width, im->info.height,
			    im->yuyv, npix * 2);
			if (ret != EG_OK)
				return ret;
		}
	}
	if (s->nimages == 1) {
		s->mode.pixfmt = im->info.pixfmt;
		s->mode.width = im->info.width;
		s->mode.height = im->info.height;
		s->mode.fps_min = 1;
		s->mode.fps_max = SCENE_MAX_FPS;
		s->pixfmt = im->info.pixfmt;
		s->yuyv_ok = im->yuyv != NULL;
	} else if (im->info.pixfmt != s->mode.pixfmt || im->info.width != s->mode.width ||
	    im->info.height != s->mode.height) {
		camera_set_error(cam,
		    "sim: %.100s is %s %ux%u but %.100s is %s %ux%u: all images of a simulated camera must share one format and size",
		    name, camera_pixfmt_name(im->info.pixfmt), im->info.width, im->info.height,
		    s->images[0].name, camera_pixfmt_name(s->mode.pixfmt), s->mode.width,
		    s->mode.height);
		return EG_ERR_FORMAT;
	}
	return EG_OK;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
open_dir(struct camera *cam, struct sim *s, const char *dir)
{
	char *names[SIM_MAX_FILES];
	size_t n = 0;
	struct dirent *de;
	DIR *d;
	int ret = EG_OK;

	d = opendir(dir);
	if (d == NULL) {
		camera_set_error(cam, "sim: cannot open folder %.200s: %s", dir, strerror(errno));
		return EG_ERR_NO_DEVICE;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !has_image_suffix(de->d_name))
			continue;
		if (n == SIM_MAX_FILES) {
			camera_set_error(cam, "sim: more than %d images in %.200s", SIM_MAX_FILES, dir);
			ret = EG_ERR_OVERFLOW;
			goto out;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL) {
			ret = EG_ERR_NOMEM;
			goto out;
		}
		n++;
	}
	if (n == 0) {
		camera_set_error(cam, "sim: no *.jpg, *.jpeg or *.ppm files in %.200s", dir);
		ret = EG_ERR_NO_DEVICE;
		goto out;
	}
	qsort(names, n, sizeof(names[0]), name_cmp);
	s->images = calloc(n, sizeof(*s->images));
	if (s->images == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n && ret == EG_OK; i++)
		ret = load_image(cam, s, dir, names[i]);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	closedir(d);
	return ret;
}

static int
open_scene(struct camera *cam, struct sim *s, const char *path)
{
	char err[256], dir[4096];
	uint8_t *text = NULL;
	size_t len;
	char *slash;
	int ret;

	ret = read_file(path, 1u << 20, &text, &len);
	if (ret != EG_OK) {
		camera_set_error(cam, "sim: cannot read scene %.200s: %s", path,
		    ret == EG_ERR_OVERFLOW ? "larger than 1 MiB" : eg_strerror(ret));
		ret = ret == EG_ERR_NOT_FOUND ? EG_ERR_NO_DEVICE : ret;
		goto out;
	}
	ret = scene_parse((const char *)text, len, path, &s->scene, err, sizeof(err));
	if (ret != EG_OK) {
		camera_set_error(cam, "sim: %s", err);
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	s->images = calloc(s->scene->nimages, sizeof(*s->images));
	if (s->images == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < s->scene->nimages && ret == EG_OK; i++)
		ret = load_image(cam, s, dir, s->scene->images[i]);
out:
	free(text);
	return ret;
}

static void
sim_release(struct sim **sp)
{
	struct sim *s = *sp;

	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nimages; i++) {
		free(s->images[i].name);
		free(s->images[i].file);
		free(s->images[i].bgr);
		free(s->images[i].yuyv);
	}
	free(s->images);
	scene_free(&s->scene);
	free(s);
	*sp = NULL;
}

static int
sim_open(struct camera *cam, const char *arg, const struct camera_options *opt)
{
	struct sim *s = NULL;
	struct stat sb;
	int ret = EG_ERR_INVAL;

	if (arg[0] == '\0') {
		camera_set_error(cam, "sim: needs a scene file or a folder: sim:PATH");
		goto out;
	}
	if (stat(arg, &sb) != 0) {
		camera_set_error(cam, "sim: %.200s: %s", arg, strerror(errno));
		ret = EG_ERR_NO_DEVICE;
		goto out;
	}
	ret = EG_ERR_NOMEM;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto out;
	s->fast = opt->fast;
	if (S_ISDIR(sb.st_mode))
		ret = open_dir(cam, s, arg);
	else
		ret = open_scene(cam, s, arg);
	if (ret != EG_OK)
		goto out;
	s->fps = s->scene != NULL ? s->scene->fps : SIM_DEFAULT_FPS;
	camera_set_priv(cam, s);
	s = NULL;
out:
	sim_release(&s);
	return ret;
}

static void
sim_close(struct camera *cam)
{
	struct sim *s = camera_priv(cam);

	sim_release(&s);
	camera_set_priv(cam, NULL);
}

static int
sim_list_modes(struct camera *cam, struct camera_mode *modes, size_t cap, size_t *n)
{
	struct sim *s = camera_priv(cam);

	if (cap > 0)
		modes[0] = s->mode;
	if (cap > 1 && s->yuyv_ok) {
		modes[1] = s->mode;
		modes[1].pixfmt = CAMERA_FMT_YUYV;
	}
	*n = s->yuyv_ok ? 2 : 1;
	return EG_OK;
}

static int
sim_set_format(struct camera *cam, const struct camera_format *want, struct camera_format *got)
{
	struct sim *s = camera_priv(cam);
	uint32_t fps = want->fps != 0 ? want->fps : (s->scene != NULL ? s->scene->fps : SIM_DEFAULT_FPS);
	enum camera_pixfmt pf = want->pixfmt != CAMERA_FMT_NONE ? want->pixfmt : s->mode.pixfmt;

	if ((pf != s->mode.pixfmt && !(pf == CAMERA_FMT_YUYV && s->yuyv_ok)) ||
	    (want->width != 0 && want->width != s->mode.width) ||
	    (want->height != 0 && want->height != s->mode.height) ||
	    fps < s->mode.fps_min || fps > s->mode.fps_max) {
		camera_set_error(cam,
		    "sim: no %s%s%ux%u mode at %u fps; this camera offers %s%s %ux%u at %u-%u fps",
		    want->pixfmt != CAMERA_FMT_NONE ? camera_pixfmt_name(want->pixfmt) : "",
		    want->pixfmt != CAMERA_FMT_NONE ? " " : "",
		    want->width, want->height, fps, camera_pixfmt_name(s->mode.pixfmt),
		    s->yuyv_ok ? " or yuyv" : "",
		    s->mode.width, s->mode.height, s->mode.fps_min, s->mode.fps_max);
		return EG_ERR_UNSUPPORTED;
	}
	s->fps = fps;
	s->pixfmt = pf;
	got->pixfmt = pf;
	got->width = s->mode.width;
	got->height = s->mode.height;
	got->fps = fps;
	return EG_OK;
}

static int
sim_start(struct camera *cam)
{
	struct sim *s = camera_priv(cam);

	if (s->unplugged) {
		camera_set_error(cam, "sim: the camera was unplugged; open it again");
		return EG_ERR_NO_DEVICE;
	}
	s->k = s->scene_k = 0;
	s->next_event = 0;
	s->current = 0;
	s->drop_pending = 0;
	s->held = 0;
	s->start_ns = camera_now_ns();
	s->last_ts = 0;
	s->first_ts = 0;
	memset(&s->st, 0, sizeof(s->st));
	return EG_OK;
}

static int
sim_stop(struct camera *cam)
{
	struct sim *s = camera_priv(cam);

	s->held = 0;
	return EG_OK;
}

/* apply the scene events due at the current frame's scene time */
static void
apply_events(struct sim *s)
{
	const struct scene_event *ev;
	uint64_t t_ns;

	if (s->scene == NULL) {
		s->current = (size_t)(s->k % s->nimages);
		return;
	}
	for (;;) {
		t_ns = s->scene_k * 1000000000ull / s->fps;
		if (s->next_event == s->scene->nevents)
			return;
		ev = &s->scene->events[s->next_event];
		if ((uint64_t)ev->at_ms * 1000000ull > t_ns)
			return;
		s->next_event++;
		switch (ev->op) {
		case SCENE_SHOW:
			s->current = ev->arg;
			break;
		case SCENE_DROP:
			s->drop_pending += ev->arg;
			break;
		case SCENE_UNPLUG:
			s->unplugged = true;
			return;
		case SCENE_LOOP:
			s->scene_k = 0;
			s->next_event = 0;
			break;
		}
	}
}

static void
sleep_until(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
	    .tv_nsec = (long)(ns % 1000000000u) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int
sim_next_frame(struct camera *cam, int timeout_ms, struct camera_frame *f)
{
	struct sim *s = camera_priv(cam);
	const struct sim_image *im;
	uint64_t due, now, ts;

	if (s->held >= SIM_MAX_HELD) {
		camera_set_error(cam, "sim: %d frames held: release some", SIM_MAX_HELD);
		return EG_ERR_BUSY;
	}
	for (;;) {
		apply_events(s);
		if (s->unplugged) {
			camera_set_error(cam, "sim: camera unplugged (scene)");
			return EG_ERR_NO_DEVICE;
		}
		if (s->drop_pending == 0)
			break;
		s->drop_pending--;
		s->st.dropped++;
		s->k++;
		s->scene_k++;
	}
	due = s->start_ns + s->k * 1000000000ull / s->fps;
	if (s->fast) {
		ts = due;
	} else {
		now = camera_now_ns();
		if (due > now) {
			if (timeout_ms < 0)
				timeout_ms = 0;
			if (due - now > (uint64_t)timeout_ms * 1000000ull) {
				sleep_until(now + (uint64_t)timeout_ms * 1000000ull);
				return EG_ERR_TIMEOUT;
			}
			sleep_until(due);
		}
		ts = camera_now_ns();
	}
	if (ts <= s->last_ts)
		ts = s->last_ts + 1;
	s->last_ts = ts;
	im = &s->images[s->current];
	f->format = s->pixfmt;
	f->width = im->info.width;
	f->height = im->info.height;
	if (s->pixfmt == CAMERA_FMT_YUYV) {
		f->stride = im->info.width * 2;
		f->data = im->yuyv;
		f->len = (size_t)f->stride * im->info.height;
	} else if (s->pixfmt == CAMERA_FMT_BGR24) {
		f->stride = im->info.width * 3;
		f->data = im->bgr;
		f->len = (size_t)f->stride * im->info.height;
	} else {
		f->stride = 0;
		f->data = im->file;
		f->len = im->file_len;
	}
	f->timestamp_ns = ts;
	f->sequence = s->k;
	f->slot_ = SIM_SLOT_TAG;
	s->k++;
	s->scene_k++;
	s->held++;
	s->st.delivered++;
	if (s->first_ts == 0)
		s->first_ts = ts;
	if (s->st.delivered >= 2 && ts > s->first_ts)
		s->st.fps = (double)(s->st.delivered - 1) * 1e9 / (double)(ts - s->first_ts);
	return EG_OK;
}

static void
sim_release_frame(struct camera *cam, struct camera_frame *f)
{
	struct sim *s = camera_priv(cam);

	if (f->slot_ == SIM_SLOT_TAG && s->held > 0)
		s->held--;
}

static int
sim_set_exposure(struct camera *cam, enum camera_exposure mode, uint32_t value_100us)
{
	(void)mode;
	(void)value_100us;
	camera_set_error(cam, "sim: exposure is fixed in a simulated camera");
	return EG_ERR_UNSUPPORTED;
}

static void
sim_stats(struct camera *cam, struct camera_stats *st)
{
	struct sim *s = camera_priv(cam);

	*st = s->st;
}

const struct camera_ops camera_sim_ops = {
	.name = "sim",
	.usage = "sim:SCENE_FILE, sim:DIR",
	.open = sim_open,
	.close = sim_close,
	.list_modes = sim_list_modes,
	.set_format = sim_set_format,
	.start = sim_start,
	.stop = sim_stop,
	.next_frame = sim_next_frame,
	.release_frame = sim_release_frame,
	.set_exposure = sim_set_exposure,
	.stats = sim_stats,
};
