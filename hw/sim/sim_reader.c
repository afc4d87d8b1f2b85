/* SPDX-License-Identifier: Apache-2.0 */
/* sim_reader.c — see sim_reader.h. */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/usb_sim.h"
#include "sim_ccid.h"
#include "sim_reader.h"

struct sim_reader {
	struct sim_epassport *chip;
	struct sim_ccid *rdr;
	struct usb_sim_bus *bus;
	struct usb_transport t;
	struct ccid_dev *d;
};

void
sim_reader_free(struct sim_reader **rp)
{
	struct sim_reader *r;

	if (rp == NULL || (r = *rp) == NULL)
		return;
	ccid_free(&r->d);
	usb_sim_bus_free(&r->bus);
	sim_ccid_free(&r->rdr);
	sim_epassport_free(&r->chip);
	free(r);
	*rp = NULL;
}

int
sim_reader_open(const struct sim_traveller *t, struct sim_pki *pki,
    const char *testdata_dir, const struct usb_profile_table *profiles,
    const struct usb_profile *rp, struct sim_reader **out)
{
	struct sim_reader *r;
	struct usb_match m;
	struct ccid_event ev;
	int ret;

	if (out == NULL || rp == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return EG_ERR_NOMEM;
	if ((ret = sim_traveller_build(t, pki, testdata_dir, &r->chip)) != EG_OK ||
	    (ret = sim_ccid_new(&r->rdr, rp)) != EG_OK ||
	    (ret = usb_sim_bus_new(&r->bus)) != EG_OK ||
	    (ret = usb_sim_bus_add(r->bus, &sim_ccid_device_ops, r->rdr)) != EG_OK)
		goto out;
	r->t = usb_sim_bus_transport(r->bus);
	memset(&m, 0, sizeof(m));
	m.vid = rp->vid;
	m.pid = rp->pid;
	if ((ret = ccid_open(&r->d, &r->t, &m, profiles, NULL)) != EG_OK)
		goto out;
	sim_ccid_insert(r->rdr, &sim_epassport_card_ops, r->chip);
	if (!(rp->quirks & USB_QUIRK_NO_NOTIFY))
		(void)ccid_wait_event(r->d, 10, &ev);	/* card placed */
out:
	if (ret != EG_OK)
		sim_reader_free(&r);
	*out = r;
	return ret;
}

struct ccid_dev *
sim_reader_ccid(struct sim_reader *r)
{
	return r->d;
}

struct sim_epassport *
sim_reader_chip(struct sim_reader *r)
{
	return r->chip;
}

struct sim_ccid *
sim_reader_sim_ccid(struct sim_reader *r)
{
	return r->rdr;
}
