/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_vicc.c — the vpcd reader against an independent implementation of the
 * card side: vsmartcard's `vicc` (Debian 12: vsmartcard-vpicc 3.3, with
 * python3-virtualsmartcard) connecting to our listening socket.
 *
 * Debian 12's package cannot run as shipped; see docs/devices.md ("vsmartcard
 * on Debian 12") for the exact reasons. This test works around the two
 * packaging problems only, without touching vsmartcard's code:
 *   - the modules are installed in /usr/lib/python3/site-packages/
 *     virtualsmartcard/, which is not on Debian's sys.path: PYTHONPATH;
 *   - they import the pycrypto namespace `Crypto`, which bookworm does not
 *     ship; python3-pycryptodome has the same API as `Cryptodome`: a
 *     `Crypto` symlink to it in a temporary directory on PYTHONPATH.
 * `vicc -t ePass` still fails inside vsmartcard (raw_input() in its ePass
 * generator is Python 2 only), so the card here is `vicc -t iso7816`: a
 * plain ISO 7816 card, which checks the vpcd framing both ways (power on,
 * ATR request, APDU, response) against code we did not write.
 */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eg_check.h"
#include "eg_scratch.h"
#include "egate/error.h"
#include "egate/vpcd.h"

START_TEST(test_vicc_iso7816)
{
	/* vicc's iso7816 card: the ATR is a constant of VirtualSmartcard.py */
	static const uint8_t want_atr[] = { 0x3B, 0x95, 0x13, 0x81, 0x01, 0x80,
	    0x73, 0xFF, 0x01, 0x00, 0x0B };
	static const uint8_t sel_aid[] = { 0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0,
	    0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };
	char dir[160], link[192], pypath[512], port[8];
	char *argv[] = { (char *)VICC, (char *)"-t", (char *)"iso7816",
	    (char *)"-H", (char *)"127.0.0.1", (char *)"-P", port, NULL };
	char *envp[] = { pypath, (char *)"PATH=/usr/bin:/bin", NULL };
	struct vpcd *v;
	pid_t pid;
	uint8_t atr[64], r[300];
	size_t n;
	int status;

	eg_scratch_mkdir(dir, sizeof(dir), "egate-vicc");
	snprintf(link, sizeof(link), "%s/Crypto", dir);
	ck_assert_int_eq(symlink(CRYPTODOME_DIR, link), 0);
	snprintf(pypath, sizeof(pypath), "PYTHONPATH=%s:%s", VSMARTCARD_DIR, dir);
	ck_assert_eg(vpcd_new(&v, 0, 20000), EG_OK);
	snprintf(port, sizeof(port), "%u", vpcd_port(v));
	ck_assert_int_eq(posix_spawn(&pid, VICC, NULL, NULL, argv, envp), 0);
	ck_assert_eg(vpcd_accept(v, 30000), EG_OK);
	ck_assert_eg(vpcd_power_on(v, atr, sizeof(atr), &n), EG_OK);
	ck_assert_uint_eq(n, sizeof(want_atr));
	ck_assert_mem_eq(atr, want_atr, sizeof(want_atr));
	/* no eMRTD application on this card: 6A82, "file not found" */
	ck_assert_eg(vpcd_transmit(v, sel_aid, sizeof(sel_aid), r, sizeof(r), &n),
	    EG_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_msg(r[0] == 0x6A && r[1] == 0x82, "SELECT AID: %02X%02X",
	    r[0], r[1]);
	ck_assert_eg(vpcd_get_atr(v, atr, sizeof(atr), &n), EG_OK);
	ck_assert_uint_eq(n, sizeof(want_atr));
	vpcd_free(&v);
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	unlink(link);
	rmdir(dir);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("vicc");
	TCase *tc = tcase_create("iso7816");

	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_vicc_iso7816);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
