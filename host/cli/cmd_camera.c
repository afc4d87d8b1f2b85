/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate camera — list cameras and grab frames (docs/man/egate-camera.1).
 *
 *   egate camera list [--camera SPEC] [--json]
 *   egate camera grab --camera SPEC -n N --out DIR [--format F] [--size WxH]
 *                     [--fps F] [--timeout MS] [--no-pace] [--json]
 *
 * Frames may show a traveller's face: grab writes them only because the
 * user asked for them with --out, into files readable by the owner only.
 * Nothing is logged about their content.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "camera.h"
#include "cli.h"
#include "egate/error.h"
#include "egate/fileio.h"
#include "egate/json.h"

#define CMD "camera"

/* egate camera also drives the simulated camera (sim:SCENE, sim:DIR): an
 * integrator's and a tester's tool (the kiosk daemon does not link it) */
static const struct camera_ops *const sim_cameras[] = { &camera_sim_ops, NULL };
static const struct camera_options sim_opts = { .extra = sim_cameras };
#define GRAB_MAX_FRAMES 100000

/* `egate camera` uses its own exit codes (man page): */
enum {
	CAM_EXIT_OK = 0,
	CAM_EXIT_CAPTURE = 1,	/* camera error during capture */
	CAM_EXIT_USAGE = 2,
	CAM_EXIT_NO_CAMERA = 3,	/* no such camera / cannot open it */
};

static void
help(FILE *f)
{
	fprintf(f,
	    "usage: egate camera list [--camera SPEC] [--json]\n"
	    "       egate camera grab --camera SPEC -n N --out DIR [--format mjpeg|yuyv|bgr24]\n"
	    "                         [--size WxH] [--fps F] [--timeout MS] [--no-pace] [--json]\n"
	    "\n"
	    "list   the UVC cameras libuvc finds (VID:PID, name, formats and sizes),\n"
	    "       or the modes of the camera SPEC\n"
	    "grab   write N frames to DIR as frame-0001.jpg (MJPEG), .yuv (YUYV) or\n"
	    "       .ppm (BGR24), and print the achieved frame rate and drops.\n"
	    "       Frames can show faces: they are written only where --out says.\n"
	    "\n"
	    "SPEC:  uvc | uvc:VID:PID (hex) | sim:SCENE_FILE | sim:DIR\n"
	    "\n"
	    "  -c, --camera SPEC   the camera\n"
	    "  -n, --count N       frames to grab (1..%d)\n"
	    "  -o, --out DIR       where to write them (created if missing, mode 0700)\n"
	    "  -f, --format F      mjpeg, yuyv or bgr24 (default: the camera's first mode)\n"
	    "  -s, --size WxH      frame size (default: the camera's first size)\n"
	    "  -r, --fps F         frame rate (default: the camera's default)\n"
	    "  -t, --timeout MS    wait at most MS for each frame (default 2000)\n"
	    "      --no-pace       simulated camera: do not sleep between frames\n"
	    "  -j, --json          print the result as JSON\n"
	    "  -h, --help          this help\n"
	    "\n"
	    "exit: 0 ok, 1 camera error during capture, 2 usage, 3 no such camera\n",
	    GRAB_MAX_FRAMES);
}

static int
parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		return EG_ERR_INVAL;
	x = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || x < lo || x > hi)
		return EG_ERR_INVAL;
	*v = (uint32_t)x;
	return EG_OK;
}

static int
parse_size(const char *s, uint32_t *w, uint32_t *h)
{
	char buf[32], *x;

	if (strlen(s) >= sizeof(buf))
		return EG_ERR_INVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	x = strchr(buf, 'x');
	if (x == NULL)
		return EG_ERR_INVAL;
	*x = '\0';
	if (parse_u32(buf, 1, 16384, w) != EG_OK || parse_u32(x + 1, 1, 16384, h) != EG_OK)
		return EG_ERR_INVAL;
	return EG_OK;
}

static void
json_modes(struct eg_json *j, const struct camera_mode *m, size_t n)
{
	eg_json_key(j, "modes");
	eg_json_arr_begin(j);
	for (size_t i = 0; i < n; i++) {
		eg_json_obj_begin(j);
		eg_json_key_str(j, "format", camera_pixfmt_name(m[i].pixfmt));
		eg_json_key_int(j, "width", m[i].width);
		eg_json_key_int(j, "height", m[i].height);
		eg_json_key_int(j, "fps_min", m[i].fps_min);
		eg_json_key_int(j, "fps_max", m[i].fps_max);
		eg_json_obj_end(j);
	}
	eg_json_arr_end(j);
}

static void
print_modes(const struct camera_mode *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("  %-6s %5ux%-5u %u-%u fps\n", camera_pixfmt_name(m[i].pixfmt), m[i].width,
		    m[i].height, m[i].fps_min, m[i].fps_max);
}

/* list the modes of one camera spec */
static int
list_spec(const char *spec, bool json)
{
	struct camera *cam = NULL;
	struct camera_mode modes[CAMERA_MODES_MAX];
	struct eg_json j;
	char err[256];
	size_t n = 0;
	int ret;

	ret = camera_open(spec, &sim_opts, &cam, err, sizeof(err));
	if (ret != EG_OK) {
		cli_err(CMD, "%s", err);
		return ret == EG_ERR_INVAL ? CAM_EXIT_USAGE : CAM_EXIT_NO_CAMERA;
	}
	(void)camera_list_modes(cam, modes, CAMERA_MODES_MAX, &n);
	if (n > CAMERA_MODES_MAX)
		n = CAMERA_MODES_MAX;
	if (json) {
		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key_str(&j, "camera", spec);
		eg_json_key_str(&j, "backend", camera_backend_name(cam));
		json_modes(&j, modes, n);
		eg_json_obj_end(&j);
		ret = eg_json_finish(&j);
	} else {
		printf("%s (%s)\n", spec, camera_backend_name(cam));
		print_modes(modes, n);
	}
	camera_free(&cam);
	return CAM_EXIT_OK;
}

static int
list_uvc(bool json)
{
	struct camera_uvc_info *infos = NULL;
	struct eg_json j;
	char err[256];
	size_t n = 0;
	int ret;

	ret = camera_uvc_enumerate(&infos, &n, err, sizeof(err));
	if (json) {
		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key(&j, "uvc");
		eg_json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			char id[8];

			eg_json_obj_begin(&j);
			snprintf(id, sizeof(id), "%04x", infos[i].vid);
			eg_json_key_str(&j, "vid", id);
			snprintf(id, sizeof(id), "%04x", infos[i].pid);
			eg_json_key_str(&j, "pid", id);
			eg_json_key_str(&j, "manufacturer", infos[i].manufacturer);
			eg_json_key_str(&j, "product", infos[i].product);
			eg_json_key_str(&j, "serial", infos[i].serial);
			eg_json_key_int(&j, "bus", infos[i].bus);
			eg_json_key_int(&j, "address", infos[i].address);
			eg_json_key(&j, "open_error");
			if (infos[i].open_err == EG_OK)
				eg_json_null(&j);
			else
				eg_json_str(&j, eg_err_name(infos[i].open_err));
			json_modes(&j, infos[i].modes, infos[i].nmodes);
			eg_json_obj_end(&j);
		}
		eg_json_arr_end(&j);
		eg_json_key(&j, "error");
		if (ret != EG_OK)
			eg_json_str(&j, err);
		else if (n == 0)
			eg_json_str(&j, "no UVC camera found");
		else
			eg_json_null(&j);
		eg_json_key(&j, "sim_specs");
		eg_json_arr_begin(&j);
		eg_json_str(&j, "sim:SCENE_FILE");
		eg_json_str(&j, "sim:DIR");
		eg_json_arr_end(&j);
		eg_json_obj_end(&j);
		(void)eg_json_finish(&j);
	} else {
		if (ret != EG_OK)
			printf("%s\n", err);
		else if (n == 0)
			printf("no UVC camera found\n");
		for (size_t i = 0; i < n; i++) {
			printf("uvc:%04x:%04x  %s %s%s%s (bus %u, address %u)\n", infos[i].vid,
			    infos[i].pid, infos[i].manufacturer, infos[i].product,
			    infos[i].serial[0] != '\0' ? ", serial " : "", infos[i].serial,
			    infos[i].bus, infos[i].address);
			if (infos[i].open_err != EG_OK)
				printf("  cannot open it to read its modes: %s%s\n",
				    eg_strerror(infos[i].open_err),
				    infos[i].open_err == EG_ERR_PERM ? " (check the udev rule)" : "");
			print_modes(infos[i].modes, infos[i].nmodes);
		}
		printf("\nsimulated cameras: sim:SCENE_FILE (a scene script) or sim:DIR (image files)\n");
	}
	free(infos);
	return ret == EG_OK && n > 0 ? CAM_EXIT_OK : CAM_EXIT_NO_CAMERA;
}

static int
cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "camera", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *spec = NULL;
	bool json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': spec = optarg; break;
		case 'j': json = true; break;
		case 'h': help(stdout); return CAM_EXIT_OK;
		default: help(stderr); return CAM_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cli_err(CMD, "list takes no arguments");
		return CAM_EXIT_USAGE;
	}
	return spec != NULL ? list_spec(spec, json) : list_uvc(json);
}

static const char *
frame_ext(enum camera_pixfmt f)
{
	switch (f) {
	case CAMERA_FMT_MJPEG: return "jpg";
	case CAMERA_FMT_YUYV: return "yuv";
	case CAMERA_FMT_BGR24: return "ppm";
	default: return "raw";
	}
}

/* one frame to DIR/frame-NNNN.EXT, mode 0600; BGR24 as a P6 PPM (RGB) */
static int
write_frame(const char *dir, unsigned idx, const struct camera_frame *f)
{
	char path[4096], hdr[64];
	uint8_t row[3 * 16384];
	int fd, ret = EG_OK, n;

	snprintf(path, sizeof(path), "%s/frame-%04u.%s", dir, idx, frame_ext(f->format));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		cli_err(CMD, "%s: %s", path, strerror(errno));
		return EG_ERR_IO;
	}
	if (f->format == CAMERA_FMT_BGR24) {
		n = snprintf(hdr, sizeof(hdr), "P6\n%u %u\n255\n", f->width, f->height);
		ret = eg_write_all(fd, hdr, (size_t)n);
		for (uint32_t y = 0; ret == EG_OK && y < f->height; y++) {
			const uint8_t *src = f->data + (size_t)y * f->stride;

			if (f->width > 16384 || (size_t)y * f->stride + (size_t)f->width * 3 > f->len) {
				ret = EG_ERR_FORMAT;
				break;
			}
			for (uint32_t x = 0; x < f->width; x++) {
				row[3 * x] = src[3 * x + 2];
				row[3 * x + 1] = src[3 * x + 1];
				row[3 * x + 2] = src[3 * x];
			}
			ret = eg_write_all(fd, row, (size_t)f->width * 3);
		}
	} else {
		ret = eg_write_all(fd, f->data, f->len);
	}
	if (close(fd) != 0 && ret == EG_OK)
		ret = EG_ERR_IO;
	if (ret != EG_OK)
		cli_err(CMD, "%s: %s", path, eg_strerror(ret));
	return ret;
}

static int
cmd_grab(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "camera", required_argument, NULL, 'c' },
		{ "count", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 's' },
		{ "fps", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-pace", no_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct camera_options copt = { .extra = sim_cameras };
	struct camera_format want = { 0 }, got = { 0 };
	struct camera_stats st = { 0 };
	struct camera_frame f = { 0 };
	struct camera *cam = NULL;
	struct eg_json j;
	const char *spec = NULL, *out = NULL;
	char err[256], cerr[256] = "";
	uint32_t count = 0, timeout = 2000;
	unsigned written = 0;
	bool json = false;
	int c, ret, rc = CAM_EXIT_CAPTURE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:n:o:f:s:r:t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': spec = optarg; break;
		case 'o': out = optarg; break;
		case 'n':
			if (parse_u32(optarg, 1, GRAB_MAX_FRAMES, &count) != EG_OK) {
				cli_err(CMD, "-n needs a frame count 1..%d", GRAB_MAX_FRAMES);
				return CAM_EXIT_USAGE;
			}
			break;
		case 'f':
			if (camera_pixfmt_parse(optarg, &want.pixfmt) != EG_OK) {
				cli_err(CMD, "--format must be mjpeg, yuyv or bgr24");
				return CAM_EXIT_USAGE;
			}
			break;
		case 's':
			if (parse_size(optarg, &want.width, &want.height) != EG_OK) {
				cli_err(CMD, "--size must be WIDTHxHEIGHT, e.g. 640x480");
				return CAM_EXIT_USAGE;
			}
			break;
		case 'r':
			if (parse_u32(optarg, 1, 1000, &want.fps) != EG_OK) {
				cli_err(CMD, "--fps needs a frame rate 1..1000");
				return CAM_EXIT_USAGE;
			}
			break;
		case 't':
			if (parse_u32(optarg, 1, 600000, &timeout) != EG_OK) {
				cli_err(CMD, "--timeout needs milliseconds 1..600000");
				return CAM_EXIT_USAGE;
			}
			break;
		case 'P': copt.fast = true; break;
		case 'j': json = true; break;
		case 'h': help(stdout); return CAM_EXIT_OK;
		default: help(stderr); return CAM_EXIT_USAGE;
		}
	}
	if (optind != argc || spec == NULL || out == NULL || count == 0) {
		cli_err(CMD, "grab needs --camera SPEC, -n N and --out DIR");
		return CAM_EXIT_USAGE;
	}
	ret = camera_open(spec, &copt, &cam, err, sizeof(err));
	if (ret != EG_OK) {
		cli_err(CMD, "%s", err);
		return ret == EG_ERR_INVAL ? CAM_EXIT_USAGE : CAM_EXIT_NO_CAMERA;
	}
	if (mkdir(out, 0700) != 0 && errno != EEXIST) {
		cli_err(CMD, "cannot create %s: %s", out, strerror(errno));
		goto out;
	}
	if ((ret = camera_set_format(cam, &want, &got)) != EG_OK ||
	    (ret = camera_start(cam)) != EG_OK) {
		snprintf(cerr, sizeof(cerr), "%s", camera_error(cam));
		goto report;
	}
	while (written < count) {
		ret = camera_next_frame(cam, (int)timeout, &f);
		if (ret != EG_OK) {
			snprintf(cerr, sizeof(cerr), "%s (%s)", camera_error(cam), eg_err_name(ret));
			break;
		}
		ret = write_frame(out, written + 1, &f);
		camera_release_frame(cam, &f);
		if (ret != EG_OK) {
			snprintf(cerr, sizeof(cerr), "writing frame %u failed", written + 1);
			break;
		}
		written++;
	}
	camera_get_stats(cam, &st);
	(void)camera_stop(cam);
	if (written == count)
		rc = CAM_EXIT_OK;
report:
	if (json) {
		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key_str(&j, "camera", spec);
		eg_json_key_str(&j, "format", camera_pixfmt_name(got.pixfmt));
		eg_json_key_int(&j, "width", got.width);
		eg_json_key_int(&j, "height", got.height);
		eg_json_key_int(&j, "fps_requested", got.fps);
		eg_json_key_int(&j, "frames", written);
		eg_json_key_int(&j, "dropped", (long long)st.dropped);
		eg_json_key_double(&j, "fps", st.fps);
		eg_json_key_str(&j, "out", out);
		eg_json_key(&j, "error");
		if (cerr[0] != '\0')
			eg_json_str(&j, cerr);
		else
			eg_json_null(&j);
		eg_json_obj_end(&j);
		(void)eg_json_finish(&j);
	} else if (rc == CAM_EXIT_OK || written > 0) {
		printf("wrote %u frame%s (%s %ux%u) to %s: %.2f fps achieved (asked %u), %llu dropped\n",
		    written, written == 1 ? "" : "s", camera_pixfmt_name(got.pixfmt), got.width,
		    got.height, out, st.fps, got.fps, (unsigned long long)st.dropped);
	}
	if (cerr[0] != '\0')
		cli_err(CMD, "%s", cerr);
out:
	camera_free(&cam);
	return rc;
}

int
cmd_camera(int argc, char **argv)
{
	if (argc < 2) {
		help(stderr);
		return CAM_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		help(stdout);
		return CAM_EXIT_OK;
	}
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "grab") == 0)
		return cmd_grab(argc - 1, argv + 1);
	cli_err(CMD, "unknown subcommand '%s' (list, grab)", argv[1]);
	return CAM_EXIT_USAGE;
}
