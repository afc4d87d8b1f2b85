/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate-usb-emu — run a command against emulated USB devices. TEST ONLY.
 *
 *   egate-usb-emu [--profiles FILE] [--reader VID:PID] [--traveller NAME|PATH]
 *                 [--pki DIR] [--no-card] [--mrz-reader[=acm|hid]] [--fault NAME]
 *                 [--reader-desc EDIT] [--camera JPEG] [--camera-fps N]
 *                 [--relay] [--ctl FIFO] [--pid-file FILE]
 *                 -- COMMAND [ARG...]
 *
 * Builds a umockdev testbed with a CCID reader (the simulated reader of
 * hw/sim/sim_ccid.c with the reader profile's identity) holding the
 * simulated passport of a traveller (hw/sim/travellers), and optionally a
 * CDC-ACM MRZ reader (hw/sim/sim_mrz.c) that will deliver the traveller's
 * MRZ (--mrz-reader=hid: a keyboard-wedge MRZ reader instead, the HID boot
 * keyboard 1209:0005 of umock_hidkbd.c that types it), a UVC camera
 * (umock_uvc.c) streaming the JPEG file given, and a
 * USBRelay2 HID relay board (umock_hidrelay.c); writes the simulation's
 * CSCA and CRL to --pki; then runs COMMAND with $UMOCKDEV_DIR set and the
 * environment it was given (so LD_PRELOAD must already name
 * libumockdev-preload.so, as `meson test --suite umockdev` does) and
 * $EGATE_EMU_MRZ holding the MRZ (lines joined with '\n'). The exit status
 * is COMMAND's (127: it could not be started; 125: the emulator failed).
 * --pid-file writes COMMAND's process id (a test signals the daemon it runs).
 *
 * --fault NAME arms one fault of the simulated reader for its next command
 * before COMMAND starts: unplug (the reader dies during the command),
 * stall-in, wrong-seq, wrong-type, wrong-slot, bad-length, huge-length,
 * hw-error, mute (no card answers).
 *
 * --reader-desc EDIT plugs the reader with malformed descriptors: ccid-len
 * (class descriptor of the wrong length), msg-small (dwMaxCCIDMessageLength
 * below 271), no-bulk (its bulk endpoints turned into interrupt ones),
 * truncated (the configuration cut inside an endpoint).
 *
 * --ctl FIFO: a named pipe (created if missing) taking one command a line
 * while COMMAND runs:
 *   insert, remove, unplug, replug      the document and the reader
 *   fault NAME                          a reader fault (--fault's names) for
 *                                       its next command
 *   mrz, mrz-garbage, mrz-unplug, mrz-replug
 *                                       the traveller's MRZ, a line of control
 *                                       bytes (hid: a line with a space key),
 *                                       the MRZ reader away and back
 *   camera-broken, camera-ok, camera-unplug, camera-replug
 *                                       every frame cut to an eighth (a JPEG
 *                                       that does not decode), whole again
 *   relay-stuck, relay-short, relay-stall, relay-ok, relay-unplug, relay-replug
 *                                       the relay board takes commands but its
 *                                       relays do not move; answers short
 *                                       feature reports; stalls them; well
 * Every line done is acknowledged on stderr ("egate-usb-emu: ctl: LINE"),
 * so a test can wait for it. This is how the end-to-end tests drive a
 * running daemon (tests/umockdev/test_kiosk_usb.sh, docs/testing-devices.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "egate/ccid_proto.h"
#include "egate/config.h"
#include "egate/error.h"
#include "egate/usb_profile.h"
#include "sim_ccid.h"
#include "sim_epassport.h"
#include "sim_mrz.h"
#include "sim_traveller.h"
#include "umock.h"
#include "umock_hidkbd.h"
#include "umock_hidrelay.h"
#include "umock_uvc.h"

#define EMU_EXIT_FAIL 125
#define EMU_EXIT_EXEC 127

struct emu {
	struct usb_profile_table pt;
	const struct usb_profile *prof;
	struct sim_traveller trav;
	char mrz[160];
	struct sim_pki *pki;
	struct sim_epassport *chip;
	struct sim_ccid *rdr;
	struct sim_mrz *mrzdev;
	struct umock *u;
	struct umock_sim *urdr, *umrz;
	struct umock_uvc *cam;
	struct umock_hidrelay *relay;
	struct umock_hidkbd *kb;	/* --mrz-reader=hid */
	uint8_t *jpeg;
	size_t jpeg_len;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: egate-usb-emu [--profiles FILE] [--reader VID:PID]\n"
	    "         [--traveller NAME|PATH] [--pki DIR] [--no-card]\n"
	    "         [--mrz-reader[=acm|hid]]\n"
	    "         [--fault unplug|stall-in|wrong-seq|wrong-type|wrong-slot|bad-length|\n"
	    "                  huge-length|hw-error|mute]\n"
	    "         [--reader-desc ccid-len|msg-small|no-bulk|truncated]\n"
	    "         [--camera JPEG] [--camera-fps N] [--relay] [--ctl FIFO]\n"
	    "         [--pid-file FILE] -- COMMAND [ARG...]\n");
}

static void
ccid_replug_cb(void *dev)
{
	sim_ccid_replug(dev);
}

static void
emu_free(struct emu *e)
{
	umock_free(&e->u);
	umock_sim_free(&e->urdr);
	umock_sim_free(&e->umrz);
	umock_uvc_free(&e->cam);
	umock_hidrelay_free(&e->relay);
	umock_hidkbd_free(&e->kb);
	free(e->jpeg);
	sim_ccid_free(&e->rdr);
	sim_mrz_free(&e->mrzdev);
	sim_epassport_free(&e->chip);
	sim_pki_free(&e->pki);
}

/* The traveller's MRZ as the reader sends it: each line ended by CR LF. */
static void
feed_mrz(struct emu *e)
{
	char buf[200];
	size_t k = 0;

	for (const char *p = e->mrz; *p != '\0' && k + 3 < sizeof(buf); p++) {
		if (*p == '\n') {
			buf[k++] = '\r';
			buf[k++] = '\n';
		} else {
			buf[k++] = *p;
		}
	}
	buf[k++] = '\r';
	buf[k++] = '\n';
	umock_dev_lock(umock_sim_dev(e->umrz));
	(void)sim_mrz_feed(e->mrzdev, buf, k);
	umock_dev_unlock(umock_sim_dev(e->umrz));
}

/* The keyboard-wedge reader types it: each line ended by Enter. */
static void
type_mrz(struct emu *e, bool garbage)
{
	static const uint8_t space[8] = { 0, 0, 0x2C }, up[8] = { 0 };
	char buf[200];

	snprintf(buf, sizeof(buf), "%s\n", e->mrz);
	umock_dev_lock(umock_hidkbd_dev(e->kb));
	if (garbage) {
		(void)umock_hidkbd_type(e->kb, "P<UTO");
		(void)umock_hidkbd_report(e->kb, space, sizeof(space));
		(void)umock_hidkbd_report(e->kb, up, sizeof(up));
		(void)umock_hidkbd_type(e->kb, "<<\n");
	} else {
		(void)umock_hidkbd_type(e->kb, buf);
	}
	umock_dev_unlock(umock_hidkbd_dev(e->kb));
}

static int
arm_fault(struct emu *e, const char *name)
{
	static const struct { const char *n; enum sim_ccid_fault f; } tab[] = {
		{ "unplug", SIM_CCID_FAULT_UNPLUG },
		{ "stall-in", SIM_CCID_FAULT_STALL_IN },
		{ "wrong-seq", SIM_CCID_FAULT_WRONG_SEQ },
		{ "wrong-type", SIM_CCID_FAULT_WRONG_TYPE },
		{ "wrong-slot", SIM_CCID_FAULT_WRONG_SLOT },
		{ "bad-length", SIM_CCID_FAULT_BAD_LENGTH },
		{ "huge-length", SIM_CCID_FAULT_HUGE_LENGTH },
		{ "hw-error", SIM_CCID_FAULT_HW_ERROR },
	};
	size_t i;

	if (strcmp(name, "mute") == 0) {
		sim_ccid_remove(e->rdr);	/* slot empty: ICC_MUTE */
		return EG_OK;
	}
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(tab[i].n, name) == 0) {
			sim_ccid_arm(e->rdr, tab[i].f, 0, 0);
			return EG_OK;
		}
	return EG_ERR_INVAL;
}

static void
camera_broken(struct emu *e, bool broken)
{
	struct umock_dev *d = umock_uvc_dev(e->cam);

	umock_dev_lock(d);
	umock_uvc_set_fault(e->cam, broken ? UMOCK_UVC_TRUNCATED : UMOCK_UVC_OK,
	    e->jpeg_len / 8);
	umock_dev_unlock(d);
}

static void
relay_fault(struct emu *e, enum umock_hidrelay_fault f)
{
	struct umock_dev *d = umock_hidrelay_dev(e->relay);

	umock_dev_lock(d);
	umock_hidrelay_set_fault(e->relay, f);
	umock_dev_unlock(d);
}

/* One control line; false when it is not understood. */
static bool
ctl_line(struct emu *e, const char *l)
{
	struct umock_dev *rd = umock_sim_dev(e->urdr);

	if (strcmp(l, "insert") == 0) {
		umock_dev_lock(rd);
		sim_ccid_insert(e->rdr, &sim_epassport_card_ops, e->chip);
		umock_dev_unlock(rd);
	} else if (strcmp(l, "remove") == 0) {
		umock_dev_lock(rd);
		sim_ccid_remove(e->rdr);
		umock_dev_unlock(rd);
	} else if (strcmp(l, "unplug") == 0) {
		umock_dev_lock(rd);
		sim_ccid_unplug(e->rdr);
		umock_dev_unlock(rd);
		umock_sim_unplug(e->urdr);
	} else if (strcmp(l, "replug") == 0) {
		(void)umock_sim_replug(e->urdr);
	} else if (strncmp(l, "fault ", 6) == 0) {
		int r;

		umock_dev_lock(rd);
		r = arm_fault(e, l + 6);
		umock_dev_unlock(rd);
		if (r != EG_OK)
			return false;
	} else if (e->kb != NULL && strcmp(l, "mrz") == 0) {
		type_mrz(e, false);
	} else if (e->kb != NULL && strcmp(l, "mrz-garbage") == 0) {
		type_mrz(e, true);
	} else if (e->kb != NULL && strcmp(l, "mrz-unplug") == 0) {
		umock_dev_lock(umock_hidkbd_dev(e->kb));
		umock_hidkbd_clear(e->kb);
		umock_dev_unlock(umock_hidkbd_dev(e->kb));
		umock_dev_unplug(umock_hidkbd_dev(e->kb));
	} else if (e->kb != NULL && strcmp(l, "mrz-replug") == 0) {
		(void)umock_dev_replug(umock_hidkbd_dev(e->kb));
	} else if (e->umrz != NULL && strcmp(l, "mrz") == 0) {
		feed_mrz(e);
	} else if (e->umrz != NULL && strcmp(l, "mrz-garbage") == 0) {
		static const char g[] = "P<UTO\x01\x02\x7f\xff<<\r\n";

		umock_dev_lock(umock_sim_dev(e->umrz));
		(void)sim_mrz_feed(e->mrzdev, g, sizeof(g) - 1);
		umock_dev_unlock(umock_sim_dev(e->umrz));
	} else if (e->umrz != NULL && strcmp(l, "mrz-unplug") == 0) {
		umock_sim_unplug(e->umrz);
	} else if (e->umrz != NULL && strcmp(l, "mrz-replug") == 0) {
		(void)umock_sim_replug(e->umrz);
	} else if (e->cam != NULL && strcmp(l, "camera-broken") == 0) {
		camera_broken(e, true);
	} else if (e->cam != NULL && strcmp(l, "camera-ok") == 0) {
		camera_broken(e, false);
	} else if (e->cam != NULL && strcmp(l, "camera-unplug") == 0) {
		umock_dev_unplug(umock_uvc_dev(e->cam));
	} else if (e->cam != NULL && strcmp(l, "camera-replug") == 0) {
		(void)umock_dev_replug(umock_uvc_dev(e->cam));
	} else if (e->relay != NULL && strcmp(l, "relay-stuck") == 0) {
		relay_fault(e, UMOCK_HIDRELAY_STUCK);
	} else if (e->relay != NULL && strcmp(l, "relay-short") == 0) {
		relay_fault(e, UMOCK_HIDRELAY_SHORT);
	} else if (e->relay != NULL && strcmp(l, "relay-stall") == 0) {
		relay_fault(e, UMOCK_HIDRELAY_STALL);
	} else if (e->relay != NULL && strcmp(l, "relay-ok") == 0) {
		relay_fault(e, UMOCK_HIDRELAY_OK);
	} else if (e->relay != NULL && strcmp(l, "relay-unplug") == 0) {
		umock_dev_unplug(umock_hidrelay_dev(e->relay));
	} else if (e->relay != NULL && strcmp(l, "relay-replug") == 0) {
		(void)umock_dev_replug(umock_hidrelay_dev(e->relay));
	} else {
		return false;
	}
	return true;
}

/* The reader's descriptors with one malformation (--reader-desc). */
static int
reader_desc(struct emu *e, const char *edit, struct umock_buf *b)
{
	size_t i, at = 0;
	int ret;

	if ((ret = umock_sim_desc(&sim_ccid_device_ops, e->rdr, b)) != EG_OK)
		return ret;
	for (i = 18; i + 1 < b->n && b->b[i] != 0; i += b->b[i])
		if (b->b[i + 1] == CCID_DESC_TYPE && at == 0)
			at = i;
	if (at == 0)
		return EG_ERR_FORMAT;
	if (strcmp(edit, "ccid-len") == 0) {
		b->b[at] = 53;			/* CCID says 54 */
	} else if (strcmp(edit, "msg-small") == 0) {
		b->b[at + 44] = 100;		/* dwMaxCCIDMessageLength < 271 */
		b->b[at + 45] = 0;
		b->b[at + 46] = 0;
		b->b[at + 47] = 0;
	} else if (strcmp(edit, "no-bulk") == 0) {
		for (i = 18; i + 1 < b->n && b->b[i] != 0; i += b->b[i])
			if (b->b[i + 1] == 0x05 && (b->b[i + 3] & 3) == 2)
				b->b[i + 3] = 3;	/* bulk -> interrupt */
	} else if (strcmp(edit, "truncated") == 0) {
		b->n -= 3;			/* the last endpoint cut */
		b->b[18 + 2] = (uint8_t)(b->n - 18);	/* and so said */
		b->b[18 + 3] = (uint8_t)((b->n - 18) >> 8);
	} else {
		return EG_ERR_INVAL;
	}
	return EG_OK;
}

static int
load_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;
	int ret = EG_ERR_IO;

	if (f == NULL)
		return EG_ERR_NOT_FOUND;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || n > (32L << 20) ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	if ((b = malloc((size_t)n)) == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	if (fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
		goto out;
	}
	*out = b;
	*len = (size_t)n;
	ret = EG_OK;
out:
	fclose(f);
	return ret;
}

/* The camera: 1280x960 (the frame size libuvc is told; the JPEG's own
 * size may differ), 16 KiB payloads so a frame is several bulk transfers.
 * Not more: libusb splits a bulk transfer into URBs of 16 KiB when usbfs
 * does not report USBDEVFS_CAP_NO_PACKET_SIZE_LIM (umockdev does not), and
 * umock_uvc answers every URB as a payload of its own, header first; with
 * 32 KiB payloads the second URB's header landed inside the JPEG (a frame
 * that decodes, damaged below the first 16 KiB). A real camera streams one
 * payload across the URBs. */
static int
add_camera(struct emu *e, const char *jpeg, unsigned fps)
{
	int ret;

	if ((ret = load_file(jpeg, &e->jpeg, &e->jpeg_len)) != EG_OK) {
		fprintf(stderr, "egate-usb-emu: --camera %s: %s\n", jpeg, eg_strerror(ret));
		return ret;
	}
	if ((ret = umock_uvc_add(e->u, 1280, 960, fps, NULL, &e->cam)) != EG_OK ||
	    (ret = umock_uvc_set_payload(e->cam, 16384)) != EG_OK)
		return ret;
	umock_dev_lock(umock_uvc_dev(e->cam));
	ret = umock_uvc_set_mjpeg(e->cam, e->jpeg, e->jpeg_len);
	umock_dev_unlock(umock_uvc_dev(e->cam));
	return ret;
}

static int
setup(struct emu *e, const char *profiles, const char *reader,
    const char *trav, const char *pki_dir, bool card, const char *mrz_reader,
    const char *desc_edit)
{
	struct umock_buf db;
	struct eg_cfg_error cerr;
	char path[4096], td[4096];
	unsigned vid = 0, pid = 0;
	int ret;

	if ((ret = usb_profile_load_file(profiles, &e->pt, &cerr)) != EG_OK) {
		fprintf(stderr, "egate-usb-emu: %s:%d: %s\n", cerr.file, cerr.line,
		    cerr.msg);
		return ret;
	}
	e->prof = &e->pt.p[0];
	if (reader != NULL) {
		if (sscanf(reader, "%4x:%4x", &vid, &pid) != 2 ||
		    (e->prof = usb_profile_find(&e->pt, (uint16_t)vid,
		    (uint16_t)pid)) == NULL) {
			fprintf(stderr, "egate-usb-emu: no profile %s in %s\n",
			    reader, profiles);
			return EG_ERR_NOT_FOUND;
		}
	}
	if (strchr(trav, '/') != NULL)
		snprintf(path, sizeof(path), "%s", trav);
	else
		snprintf(path, sizeof(path), "%s/%s.ini", sim_traveller_dir(), trav);
	if ((ret = sim_traveller_load_file(path, &e->trav, &cerr)) != EG_OK) {
		fprintf(stderr, "egate-usb-emu: traveller %s: %s\n", path,
		    eg_strerror(ret));
		return ret;
	}
	if ((ret = sim_traveller_mrz(&e->trav, e->mrz, sizeof(e->mrz))) != EG_OK ||
	    (ret = sim_pki_new(&e->pki)) != EG_OK ||
	    (pki_dir != NULL && (ret = sim_pki_write(e->pki, pki_dir)) != EG_OK) ||
	    (ret = sim_traveller_build(&e->trav, e->pki,
	    sim_testdata_dir(td, sizeof(td)), &e->chip)) != EG_OK) {
		fprintf(stderr, "egate-usb-emu: simulated passport: %s\n",
		    eg_strerror(ret));
		return ret;
	}
	if ((ret = sim_ccid_new(&e->rdr, e->prof)) != EG_OK ||
	    (ret = umock_new(&e->u)) != EG_OK)
		return ret;
	if (card)
		sim_ccid_insert(e->rdr, &sim_epassport_card_ops, e->chip);
	if (desc_edit != NULL && (ret = reader_desc(e, desc_edit, &db)) != EG_OK) {
		fprintf(stderr, "egate-usb-emu: --reader-desc %s: %s\n", desc_edit,
		    eg_strerror(ret));
		return ret;
	}
	if ((ret = umock_sim_add(e->u, &sim_ccid_device_ops, e->rdr,
	    desc_edit != NULL ? &db : NULL, "egate test", e->prof->name, ccid_replug_cb,
	    &e->urdr)) != EG_OK)
		return ret;
	if (mrz_reader != NULL && strcmp(mrz_reader, "hid") == 0) {
		if ((ret = umock_hidkbd_add(e->u, true, &e->kb)) != EG_OK)
			return ret;
	} else if (mrz_reader != NULL) {
		if ((ret = sim_mrz_new(&e->mrzdev, 64)) != EG_OK ||
		    (ret = umock_sim_add(e->u, &sim_mrz_device_ops, e->mrzdev, NULL,
		    "egate test", "MRZ reader", NULL, &e->umrz)) != EG_OK)
			return ret;
	}
	{
		char node[64];

		umock_dev_node(umock_sim_dev(e->urdr), node, sizeof(node));
		fprintf(stderr, "egate-usb-emu: %s (%04X:%04X) at %s%s\n",
		    e->prof->name, e->prof->vid, e->prof->pid, node, e->kb != NULL ? ", HID MRZ reader 1209:0005" :
		    mrz_reader != NULL ? ", MRZ reader 1209:0001" : "");
	}
	return EG_OK;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profiles", required_argument, NULL, 'p' },
		{ "reader", required_argument, NULL, 'r' },
		{ "traveller", required_argument, NULL, 't' },
		{ "pki", required_argument, NULL, 'k' },
		{ "no-card", no_argument, NULL, 'n' },
		{ "mrz-reader", optional_argument, NULL, 'm' },
		{ "fault", required_argument, NULL, 'f' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "reader-desc", required_argument, NULL, 'd' },
		{ "camera", required_argument, NULL, 'C' },
		{ "camera-fps", required_argument, NULL, 'F' },
		{ "relay", no_argument, NULL, 'R' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profiles = NULL, *reader = NULL, *trav = "genuine-td3";
	const char *pki = NULL, *fault = NULL, *ctl = NULL, *desc_edit = NULL;
	const char *camera = NULL, *pid_file = NULL, *mrz_reader = NULL;
	unsigned fps = 5;
	bool card = true, relay = false;
	struct emu e;
	char line[256];
	size_t ll = 0;
	int c, ctl_fd = -1, status = 0, ret = EMU_EXIT_FAIL;
	pid_t child;

	memset(&e, 0, sizeof(e));
	while ((c = getopt_long(argc, argv, "+p:r:t:k:nmf:c:d:C:F:RP:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': profiles = optarg; break;
		case 'r': reader = optarg; break;
		case 't': trav = optarg; break;
		case 'k': pki = optarg; break;
		case 'n': card = false; break;
		case 'm':
			mrz_reader = optarg != NULL ? optarg : "acm";
			if (strcmp(mrz_reader, "acm") != 0 && strcmp(mrz_reader, "hid") != 0) {
				usage(stderr);
				return 2;
			}
			break;
		case 'f': fault = optarg; break;
		case 'c': ctl = optarg; break;
		case 'd': desc_edit = optarg; break;
		case 'C': camera = optarg; break;
		case 'F': fps = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'R': relay = true; break;
		case 'P': pid_file = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc || profiles == NULL) {
		usage(stderr);
		return 2;
	}
	if (!umock_preloaded())
		fprintf(stderr, "egate-usb-emu: warning: LD_PRELOAD does not name "
		    "libumockdev-preload.so: COMMAND will see the real /sys\n");
	if (setup(&e, profiles, reader, trav, pki, card, mrz_reader, desc_edit) != EG_OK)
		goto out;
	if (camera != NULL && add_camera(&e, camera, fps) != EG_OK) {
		fprintf(stderr, "egate-usb-emu: cannot add the camera\n");
		goto out;
	}
	if (relay && umock_hidrelay_add(e.u, 2, &e.relay) != EG_OK) {
		fprintf(stderr, "egate-usb-emu: cannot add the relay board\n");
		goto out;
	}
	if (fault != NULL) {
		umock_dev_lock(umock_sim_dev(e.urdr));
		c = arm_fault(&e, fault);
		umock_dev_unlock(umock_sim_dev(e.urdr));
		if (c != EG_OK) {
			fprintf(stderr, "egate-usb-emu: unknown fault '%s'\n", fault);
			goto out;
		}
	}
	if (ctl != NULL) {
		if (mkfifo(ctl, 0600) != 0 && errno != EEXIST) {
			perror("egate-usb-emu: mkfifo");
			goto out;
		}
		/* O_RDWR: the FIFO never reports EOF when a writer closes */
		if ((ctl_fd = open(ctl, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
			perror("egate-usb-emu: open --ctl");
			goto out;
		}
	}
	if (setenv("EGATE_EMU_MRZ", e.mrz, 1) != 0)
		goto out;
	if ((child = fork()) < 0)
		goto out;
	if (child == 0) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "egate-usb-emu: %s: %s\n", argv[optind],
		    strerror(errno));
		_exit(EMU_EXIT_EXEC);
	}
	if (pid_file != NULL) {
		FILE *pf = fopen(pid_file, "w");

		if (pf == NULL || fprintf(pf, "%ld\n", (long)child) < 0 || fclose(pf) != 0) {
			perror("egate-usb-emu: --pid-file");
			kill(child, SIGKILL);
			(void)waitpid(child, &status, 0);
			goto out;
		}
	}
	for (;;) {
		struct pollfd pfd = { .fd = ctl_fd, .events = POLLIN };
		pid_t w = waitpid(child, &status, WNOHANG);

		if (w == child)
			break;
		/* an unplug the simulator did by itself: uevent + sysfs now */
		umock_dev_sync(umock_sim_dev(e.urdr));
		if (e.umrz != NULL)
			umock_dev_sync(umock_sim_dev(e.umrz));
		if (e.cam != NULL)
			umock_dev_sync(umock_uvc_dev(e.cam));
		if (e.relay != NULL)
			umock_dev_sync(umock_hidrelay_dev(e.relay));
		if (e.kb != NULL)
			umock_dev_sync(umock_hidkbd_dev(e.kb));
		if (poll(&pfd, ctl_fd >= 0 ? 1 : 0, 20) > 0) {
			char ch;

			while (read(ctl_fd, &ch, 1) == 1) {
				if (ch != '\n' && ll + 1 < sizeof(line)) {
					line[ll++] = ch;
					continue;
				}
				line[ll] = '\0';
				ll = 0;
				if (line[0] == '\0')
					continue;
				if (ctl_line(&e, line))
					fprintf(stderr, "egate-usb-emu: ctl: %s\n", line);
				else
					fprintf(stderr, "egate-usb-emu: unknown control line '%s'\n",
					    line);
			}
		}
	}
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	if (ctl_fd >= 0)
		close(ctl_fd);
	emu_free(&e);
	return ret;
}
