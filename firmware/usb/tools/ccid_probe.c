/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate-ccid-probe — smoke test of a real passport reader through the same
 * libusb transport and CCID driver the kiosk uses (docs/devices.md):
 *
 *   egate-ccid-probe [--profiles FILE] [--device VID:PID] [--wait SECONDS]
 *
 * Lists CCID readers, opens the first (or the given one), prints what the
 * driver knows about it, waits for a document, powers it on, prints the ATR
 * and the status word of SELECT eMRTD application. It reads no data group and
 * prints no card data beyond the ATR: use a specimen document anyway.
 * Exit: 0 answered 9000, 1 answered something else, 2 usage, 3 could not run.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/ccid.h"
#include "egate/ccid_proto.h"
#include "egate/error.h"
#include "egate/log.h"
#include "egate/usb_libusb.h"
#include "egate/usb_profile.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: egate-ccid-probe [--profiles FILE] [--device VID:PID] "
	    "[--wait SECONDS] [--debug]\n");
}

static int
parse_device(const char *s, struct usb_match *m)
{
	unsigned vid, pid;
	char end;

	if (sscanf(s, "%4x:%4x%c", &vid, &pid, &end) != 2)
		return -1;
	m->vid = (uint16_t)vid;
	m->pid = (uint16_t)pid;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profiles", required_argument, NULL, 'p' },
		{ "device", required_argument, NULL, 'd' },
		{ "wait", required_argument, NULL, 'w' },
		{ "debug", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const uint8_t sel[] = { 0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00,
	    0x00, 0x02, 0x47, 0x10, 0x01 };
	const char *profiles_path = NULL;
	struct usb_profile_table *profiles = NULL;
	struct usb_libusb *lu = NULL;
	struct usb_transport t;
	struct usb_dev_info found[16];
	struct usb_match m;
	struct ccid_dev *d = NULL;
	struct ccid_info info;
	struct ccid_status st;
	struct ccid_event ev;
	struct ccid_opts copts;
	struct eg_log lg;
	struct eg_cfg_error cerr;
	uint8_t atr[CCID_MAX_ATR], r[258];
	size_t n, i, nfound = 0;
	unsigned wait_s = 30;
	int c, ret, rc = 3;

	memset(&m, 0, sizeof(m));
	memset(&copts, 0, sizeof(copts));
	eg_log_init(&lg, "ccid-probe");
	while ((c = getopt_long(argc, argv, "p:d:w:Dh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': profiles_path = optarg; break;
		case 'd':
			if (parse_device(optarg, &m) != 0) {
				fprintf(stderr, "egate-ccid-probe: --device wants VID:PID in hex\n");
				return 2;
			}
			break;
		case 'w': wait_s = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'D': lg.min_level = EG_LOG_DEBUG; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	copts.log = &lg;
	if (profiles_path != NULL) {
		if ((profiles = calloc(1, sizeof(*profiles))) == NULL)
			goto out;
		if (usb_profile_load_file(profiles_path, profiles, &cerr) != EG_OK) {
			char buf[512];

			fprintf(stderr, "egate-ccid-probe: %s\n",
			    eg_cfg_error_str(&cerr, buf, sizeof(buf)));
			goto out;
		}
	}
	if ((ret = usb_libusb_new(&lu)) != EG_OK) {
		fprintf(stderr, "egate-ccid-probe: libusb: %s\n", eg_strerror(ret));
		goto out;
	}
	ret = usb_libusb_enumerate(lu, 0x0B, profiles, found, 16, &nfound);
	if (ret != EG_OK) {
		fprintf(stderr, "egate-ccid-probe: enumerate: %s\n", eg_strerror(ret));
		goto out;
	}
	for (i = 0; i < nfound && i < 16; i++) {
		const struct usb_profile *p = usb_profile_find(profiles,
		    found[i].vid, found[i].pid);

		printf("reader %04x:%04x bus %u address %u%s%s\n", found[i].vid,
		    found[i].pid, found[i].bus, found[i].address,
		    p != NULL ? " " : " (not in the profile list)",
		    p != NULL ? p->name : "");
	}
	if (nfound == 0) {
		fprintf(stderr, "egate-ccid-probe: no CCID reader found\n");
		goto out;
	}
	t = usb_libusb_transport(lu);
	if ((ret = ccid_open(&d, &t, &m, profiles, &copts)) != EG_OK) {
		fprintf(stderr, "egate-ccid-probe: open: %s%s\n", eg_strerror(ret),
		    ret == EG_ERR_PERM ? " (see hw/udev/70-egate.rules)" :
		    ret == EG_ERR_BUSY ? " (is pcscd running?)" : "");
		goto out;
	}
	ccid_get_info(d, &info);
	printf("opened %04x:%04x \"%s\": max message %u, %s level, %u slot(s)\n",
	    info.vid, info.pid, info.name, info.max_message,
	    info.level == CCID_EXCHANGE_EXTENDED_APDU ? "extended APDU" :
	    "short APDU", info.max_slot_index + 1u);
	ret = ccid_slot_status(d, &st);
	if (ret == EG_OK && st.icc == CCID_ICC_ABSENT) {
		printf("place a document on the reader (%u s)...\n", wait_s);
		ret = ccid_wait_event(d, wait_s * 1000u, &ev);
		if (ret == EG_OK && ev.type != CCID_EVENT_CARD_PLACED)
			ret = EG_ERR_NO_CARD;
	}
	if (ret != EG_OK) {
		fprintf(stderr, "egate-ccid-probe: no document: %s\n",
		    eg_strerror(ret));
		goto out;
	}
	if ((ret = ccid_power_on(d, atr, sizeof(atr), &n, &st)) != EG_OK) {
		fprintf(stderr, "egate-ccid-probe: power on: %s (bError %s)\n",
		    eg_strerror(ret), ccid_error_str(st.berror));
		goto out;
	}
	printf("ATR");
	for (i = 0; i < n; i++)
		printf(" %02X", atr[i]);
	printf("\n");
	if ((ret = ccid_transmit(d, sel, sizeof(sel), r, sizeof(r), &n)) != EG_OK) {
		fprintf(stderr, "egate-ccid-probe: SELECT: %s\n", eg_strerror(ret));
		goto out;
	}
	printf("SELECT eMRTD application: %02X%02X\n", r[n - 2], r[n - 1]);
	rc = r[n - 2] == 0x90 && r[n - 1] == 0x00 ? 0 : 1;
	(void)ccid_power_off(d, &st);
out:
	ccid_free(&d);
	usb_libusb_free(&lu);
	free(profiles);
	return rc;
}
