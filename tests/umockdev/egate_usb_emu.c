/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate-usb-emu — run a command against emulated USB devices. TEST ONLY.
 *
 *   egate-usb-emu [--profiles FILE] [--reader VID:PID] [--traveller NAME|PATH]
 *                 [--pki DIR] [--no-card] [--mrz-reader] [--fault NAME]
 *                 [--ctl FIFO] -- COMMAND [ARG...]
 *
 * Builds a umockdev testbed with a CCID reader (the simulated reader of
 * hw/sim/sim_ccid.c with the reader profile's identity) holding the
 * simulated passport of a traveller (hw/sim/travellers), and optionally a
 * CDC-ACM MRZ reader (hw/sim/sim_mrz.c) that will deliver the traveller's
 * MRZ; writes the simulation's CSCA and CRL to --pki; then runs COMMAND
 * with $UMOCKDEV_DIR set and the environment it was given (so LD_PRELOAD
 * must already name libumockdev-preload.so, as `meson test --suite
 * umockdev` does) and $EGATE_EMU_MRZ holding the MRZ (lines joined with
 * '\n'). The exit status is COMMAND's (127: it could not be started; 125:
 * the emulator failed).
 *
 * --fault NAME arms one fault of the simulated reader before the command
 * starts: unplug (the reader dies during the first command), stall-in,
 * wrong-seq, hw-error, mute (no card answers).
 *
 * --ctl FIFO: a named pipe (created if missing) taking one command a line
 * while COMMAND runs: insert, remove, unplug, replug, mrz (feed the
 * traveller's MRZ to the MRZ reader), mrz-garbage (a line of control
 * bytes), mrz-unplug, mrz-replug. This is how the end-to-end tests drive a
 * running daemon (docs/testing-devices.md).
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

#include "egate/config.h"
#include "egate/error.h"
#include "egate/usb_profile.h"
#include "sim_ccid.h"
#include "sim_epassport.h"
#include "sim_mrz.h"
#include "sim_traveller.h"
#include "umock.h"

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
	bool card_in;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: egate-usb-emu [--profiles FILE] [--reader VID:PID]\n"
	    "         [--traveller NAME|PATH] [--pki DIR] [--no-card] [--mrz-reader]\n"
	    "         [--fault unplug|stall-in|wrong-seq|hw-error|mute] [--ctl FIFO]\n"
	    "         -- COMMAND [ARG...]\n");
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

static void
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
	} else {
		fprintf(stderr, "egate-usb-emu: unknown control line '%s'\n", l);
	}
}

static int
arm_fault(struct emu *e, const char *name)
{
	static const struct { const char *n; enum sim_ccid_fault f; } tab[] = {
		{ "unplug", SIM_CCID_FAULT_UNPLUG },
		{ "stall-in", SIM_CCID_FAULT_STALL_IN },
		{ "wrong-seq", SIM_CCID_FAULT_WRONG_SEQ },
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

static int
setup(struct emu *e, const char *profiles, const char *reader,
    const char *trav, const char *pki_dir, bool card, bool mrz_reader)
{
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
	if ((ret = umock_sim_add(e->u, &sim_ccid_device_ops, e->rdr, NULL,
	    "egate test", e->prof->name, ccid_replug_cb, &e->urdr)) != EG_OK)
		return ret;
	if (mrz_reader) {
		if ((ret = sim_mrz_new(&e->mrzdev, 64)) != EG_OK ||
		    (ret = umock_sim_add(e->u, &sim_mrz_device_ops, e->mrzdev, NULL,
		    "egate test", "MRZ reader", NULL, &e->umrz)) != EG_OK)
			return ret;
	}
	{
		char node[64];

		umock_dev_node(umock_sim_dev(e->urdr), node, sizeof(node));
		fprintf(stderr, "egate-usb-emu: %s (%04X:%04X) at %s%s\n",
		    e->prof->name, e->prof->vid, e->prof->pid, node, mrz_reader ? ", MRZ reader 1209:0001" : "");
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
		{ "mrz-reader", no_argument, NULL, 'm' },
		{ "fault", required_argument, NULL, 'f' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profiles = NULL, *reader = NULL, *trav = "genuine-td3";
	const char *pki = NULL, *fault = NULL, *ctl = NULL;
	bool card = true, mrz_reader = false;
	struct emu e;
	char line[256];
	size_t ll = 0;
	int c, ctl_fd = -1, status = 0, ret = EMU_EXIT_FAIL;
	pid_t child;

	memset(&e, 0, sizeof(e));
	while ((c = getopt_long(argc, argv, "+p:r:t:k:nmf:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': profiles = optarg; break;
		case 'r': reader = optarg; break;
		case 't': trav = optarg; break;
		case 'k': pki = optarg; break;
		case 'n': card = false; break;
		case 'm': mrz_reader = true; break;
		case 'f': fault = optarg; break;
		case 'c': ctl = optarg; break;
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
	if (setup(&e, profiles, reader, trav, pki, card, mrz_reader) != EG_OK)
		goto out;
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
	for (;;) {
		struct pollfd pfd = { .fd = ctl_fd, .events = POLLIN };
		pid_t w = waitpid(child, &status, WNOHANG);

		if (w == child)
			break;
		/* an unplug the simulator did by itself: uevent + sysfs now */
		umock_dev_sync(umock_sim_dev(e.urdr));
		if (e.umrz != NULL)
			umock_dev_sync(umock_sim_dev(e.umrz));
		if (poll(&pfd, ctl_fd >= 0 ? 1 : 0, 20) > 0) {
			char ch;

			while (read(ctl_fd, &ch, 1) == 1) {
				if (ch != '\n' && ll + 1 < sizeof(line)) {
					line[ll++] = ch;
					continue;
				}
				line[ll] = '\0';
				ll = 0;
				if (line[0] != '\0')
					ctl_line(&e, line);
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
