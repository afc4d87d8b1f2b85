/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate read — read and check a travel document's chip (docs/man/egate-read.1,
 * docs/reading.md).
 *
 *   egate read --reader sim:PROFILE|usb[:VID:PID]|vpcd[:PORT]
 *              (--mrz 'LINE1\nLINE2' | --can CAN) --csca PATH [--crl DIR]
 *              [--sim-pki DIR] [--profiles FILE] [--out DIR]
 *              [--trace FILE [--trace-data]] [--json]
 *   egate read --list-readers [--json]
 *
 * sim:PROFILE goes through the whole production stack: the simulated USB
 * bus, a simulated CCID reader at the message level hosting the simulated
 * chip, the CCID driver, then the reading flow. The MRZ, the holder data and
 * the DGs are personal data: wiped before exit, written to disk only with
 * --out, never logged.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

#include "cli.h"
#include "doc/card.h"
#include "doc/read.h"
#include "egate/ccid.h"
#include "egate/error.h"
#include "egate/json.h"
#include "egate/secure.h"
#include "egate/usb_libusb.h"
#include "egate/usb_profile.h"
#include "face.h"
#include "doc/reader.h"
#include "sim_doc_reader.h"
#include "sim_traveller.h"

#define CMD "read"
#define READ_MRZ_MAX 256

static void
help(FILE *f)
{
	fprintf(f,
	    "usage: egate read --reader SPEC (--mrz MRZ | --can CAN) --csca PATH\n"
	    "                  [--crl DIR] [--sim-pki DIR] [--profiles FILE]\n"
	    "                  [--out DIR] [--trace FILE [--trace-data]]\n"
	    "                  [--wait SECONDS] [--json]\n"
	    "       egate read --list-readers [--json]\n"
	    "\n"
	    "Read a travel document's chip (ICAO 9303: BAC or PACE, secure messaging,\n"
	    "EF.COM, EF.SOD, the data groups) and check it (passive authentication).\n"
	    "\n"
	    "  -r, --reader SPEC   sim:PROFILE  simulated traveller on a simulated CCID\n"
	    "                                   reader (profile name or .ini path)\n"
	    "                      usb[:VID:PID] a USB CCID reader (first one found)\n"
	    "                      vpcd[:PORT]  a vpcd virtual reader (default 35963)\n"
	    "  -m, --mrz MRZ       the printed MRZ, lines separated by newlines or '\\n'\n"
	    "  -C, --can CAN       card access number (needs PACE)\n"
	    "  -c, --csca PATH     trust anchors: folder of CSCA certificates and .ml\n"
	    "                      master lists, or one file\n"
	    "  -l, --crl DIR       folder of CRLs\n"
	    "  -S, --sim-pki DIR   write the simulation's CSCA (DIR/csca.der) and CRL\n"
	    "                      (DIR/crl/csca.crl) first; default --csca DIR --crl DIR/crl\n"
	    "  -p, --profiles FILE reader profiles (default: the installed readers.ini)\n"
	    "  -o, --out DIR       save the files read and the face image (personal data!)\n"
	    "  -t, --trace FILE    write an APDU trace for a bug report: commands,\n"
	    "                      lengths, status words, timing; never keys, key\n"
	    "                      agreement data or protected payloads\n"
	    "  -D, --trace-data    also write the files' contents to the trace\n"
	    "                      (personal data: DG1, DG2, ...)\n"
	    "  -w, --wait SECONDS  vpcd: wait this long for the card side (default 10)\n"
	    "  -L, --list-readers  list USB CCID readers and simulated travellers\n"
	    "  -j, --json          print the result as JSON\n"
	    "  -h, --help          this help\n"
	    "\n"
	    "exit: 0 all mandatory checks pass, 1 a check failed, 2 usage,\n"
	    "      3 the reader or chip could not be read\n");
}

static const char *
profiles_path(const char *given)
{
	if (given != NULL)
		return given;
	if (access(EGATE_READERS_INSTALLED, R_OK) == 0)
		return EGATE_READERS_INSTALLED;
	return EGATE_READERS_SRC;
}

static int
cli_rng(void *ctx, unsigned char *out, size_t len)
{
	return mbedtls_ctr_drbg_random(ctx, out, len);
}

/* The MRZ argument: real newlines or the two characters '\' 'n'. */
static int
copy_mrz(const char *in, char *out, size_t cap)
{
	size_t k = 0;

	for (const char *p = in; *p != '\0'; p++) {
		if (k + 1 >= cap)
			return EG_ERR_OVERFLOW;
		if (p[0] == '\\' && p[1] == 'n') {
			out[k++] = '\n';
			p++;
		} else {
			out[k++] = *p;
		}
	}
	out[k] = '\0';
	return EG_OK;
}

/* wipe_arg — zero the option value s inside argv (getopt hands out
 * pointers into argv; this finds the writable string without casting const
 * away). s NULL: nothing. */
static void
wipe_arg(char **argv, const char *s)
{
	if (s == NULL)
		return;
	for (char **a = argv; *a != NULL; a++) {
		size_t n = strlen(*a);

		if (s >= *a && s <= *a + n) {
			eg_memzero(*a + (s - *a), strlen(s));
			return;
		}
	}
}

/* ---- --list-readers ----------------------------------------------------- */

static void
list_travellers(struct eg_json *j)
{
	const char *dir = sim_traveller_dir();
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort);

	if (j == NULL)
		printf("simulated travellers (%s):\n", dir);
	else {
		eg_json_key(j, "sim");
		eg_json_arr_begin(j);
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct sim_traveller t;
		size_t len = strlen(ents[i]->d_name);

		if (len > 4 && strcmp(ents[i]->d_name + len - 4, ".ini") == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			if (sim_traveller_load_file(path, &t, NULL) == EG_OK) {
				if (j == NULL) {
					printf("  sim:%-20s %s\n", t.name, t.description);
				} else {
					eg_json_obj_begin(j);
					eg_json_key_str(j, "reader", "sim");
					eg_json_key_str(j, "profile", t.name);
					eg_json_key_str(j, "description", t.description);
					eg_json_obj_end(j);
				}
			}
		}
		free(ents[i]);
	}
	free(ents);
	if (n < 0 && j == NULL)
		printf("  (cannot read %s)\n", dir);
	if (j != NULL)
		eg_json_arr_end(j);
}

static int
list_readers(const char *profiles_file, bool json)
{
	struct usb_libusb *lu = NULL;
	struct usb_profile_table *pt = calloc(1, sizeof(*pt));
	struct usb_dev_info found[16];
	size_t nfound = 0;
	struct eg_json j;
	int uerr;

	if (pt == NULL)
		return EGATE_EXIT_ERROR;
	(void)usb_profile_load_file(profiles_file, pt, NULL);
	uerr = usb_libusb_new(&lu);
	if (uerr == EG_OK)
		uerr = usb_libusb_enumerate(lu, 0x0B, pt, found, 16, &nfound);
	if (nfound > 16)
		nfound = 16;
	if (json) {
		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key(&j, "usb");
		eg_json_arr_begin(&j);
	} else if (uerr != EG_OK) {
		printf("USB CCID readers: libusb unavailable (%s)\n", eg_strerror(uerr));
	} else if (nfound == 0) {
		printf("USB CCID readers: none found\n");
	} else {
		printf("USB CCID readers:\n");
	}
	for (size_t i = 0; i < nfound; i++) {
		const struct usb_profile *p = usb_profile_find(pt, found[i].vid,
		    found[i].pid);
		char id[16];

		snprintf(id, sizeof(id), "%04X:%04X", found[i].vid, found[i].pid);
		if (json) {
			eg_json_obj_begin(&j);
			eg_json_key_str(&j, "reader", "usb");
			eg_json_key_str(&j, "id", id);
			eg_json_key_str(&j, "name", p != NULL ? p->name : "");
			eg_json_obj_end(&j);
		} else {
			printf("  usb:%s  %s\n", id, p != NULL ? p->name : "(no profile)");
		}
	}
	if (json) {
		eg_json_arr_end(&j);
		if (uerr != EG_OK)
			eg_json_key_str(&j, "usb_error", eg_err_name(uerr));
		list_travellers(&j);
		eg_json_obj_end(&j);
		(void)eg_json_finish(&j);
		printf("\n");
	} else {
		list_travellers(NULL);
	}
	usb_libusb_free(&lu);
	free(pt);
	return EGATE_EXIT_OK;
}

/* ---- --out -------------------------------------------------------------- */

static int
save(const char *dir, const char *name, const void *d, size_t n)
{
	char path[4096];
	int fd, ret = EG_OK;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return EG_ERR_OVERFLOW;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return EG_ERR_IO;
	if (write(fd, d, n) != (ssize_t)n)
		ret = EG_ERR_IO;
	if (close(fd) != 0)
		ret = EG_ERR_IO;
	return ret;
}

static int
save_all(const char *dir, const struct doc_result *r)
{
	char name[32];
	struct face_dg2 f;
	int ret;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return EG_ERR_IO;
	for (int i = 0; i < DOC_FILE_COUNT; i++) {
		if (r->file[i].status != DOC_FILE_READ)
			continue;
		snprintf(name, sizeof(name), "%s.bin", doc_file_name(i));
		if ((ret = save(dir, name, r->file[i].data.data, r->file[i].data.len)) != EG_OK)
			return ret;
	}
	if (r->file[2].status == DOC_FILE_READ &&
	    face_dg2_parse(r->file[2].data.data, r->file[2].data.len, &f) == EG_OK)
		return save(dir, f.fmt == FACE_IMG_JPEG ? "face.jpg" : "face.jp2",
		    f.image, f.image_len);
	return EG_OK;
}

/* ---- output ---------------------------------------------------------------- */

static void
print_check(const char *name, const char *st, const char *reason)
{
	printf("  %-24s %-12s %s\n", name, st, reason);
}

static void
print_text(const char *reader, const struct doc_result *r)
{
	const struct mrz_result *h = &r->holder;

	printf("%-10s %s\n", "reader", reader);
	if (r->holder_valid) {
		printf("%-10s %s, %s\n", "holder", h->primary_id, h->secondary_id);
		printf("%-10s %s %s %s, expires %04d-%02d-%02d\n", "document",
		    h->document_code, h->issuing_state, h->document_number,
		    h->expiry_date.year, h->expiry_date.month, h->expiry_date.day);
		printf("%-10s %04d-%02d-%02d, sex %c, nationality %s\n", "born",
		    h->birth_date.year, h->birth_date.month, h->birth_date.day,
		    h->sex, h->nationality);
	}
	printf("%-10s %s\n", "access", r->access);
	printf("checks\n");
	for (int c = 0; c <= DOC_CHECK_FILES_READ; c++)
		print_check(doc_check_str((enum doc_check)c),
		    doc_check_status_str(&r->check[c]), r->check[c].reason);
	for (int c = 0; c < PA_CHECK_COUNT; c++)
		print_check(pa_result_str((enum pa_check)c),
		    pa_status_str(r->pa_ran ? r->pa.r[c].status : PA_NOT_CHECKED),
		    r->pa_ran ? r->pa.r[c].reason : "passive authentication not run");
	for (int c = DOC_CHECK_FILES_READ + 1; c < DOC_CHECK_COUNT; c++)
		print_check(doc_check_str((enum doc_check)c),
		    doc_check_status_str(&r->check[c]), r->check[c].reason);
	printf("files\n");
	for (int i = 0; i < DOC_FILE_COUNT; i++) {
		const struct doc_file *f = &r->file[i];

		if (f->status == DOC_FILE_NOT_LISTED)
			continue;
		if (f->status == DOC_FILE_READ)
			printf("  %-14s %-18s %7zu B  %u commands, chunk %zu%s%s\n",
			    doc_file_name(i), doc_file_status_str(f->status),
			    f->data.len, f->commands, f->final_chunk,
			    f->by_fid ? ", selected by FID" : "",
			    f->retried ? ", read again" : "");
		else if (f->sw != 0)
			printf("  %-14s %-18s %s, SW %04X\n", doc_file_name(i),
			    doc_file_status_str(f->status),
			    doc_file_reason_str(f->reason), f->sw);
		else
			printf("  %-14s %-18s %s\n", doc_file_name(i),
			    doc_file_status_str(f->status),
			    doc_file_reason_str(f->reason));
	}
	if (r->adapt.no_sfi || r->adapt.no_do99 > 0 || r->adapt.reestablished > 0) {
		printf("adapted\n");
		if (r->adapt.no_sfi)
			printf("  no short EF identifiers (SW %04X): files SELECTed\n",
			    r->adapt.sfi_sw);
		if (r->adapt.no_do99 > 0)
			printf("  %u protected responses without DO'99'\n",
			    r->adapt.no_do99);
		if (r->adapt.reestablished > 0)
			printf("  the chip ended secure messaging at %s (SW %04X); "
			    "access control re-established %u time%s\n",
			    r->adapt.sm_dropped_at, r->adapt.sm_dropped_sw,
			    r->adapt.reestablished,
			    r->adapt.reestablished == 1 ? "" : "s");
	}
	printf("timing\n");
	for (size_t i = 0; i < r->n_steps; i++)
		printf("  %-24s %9.2f ms%s%s\n", r->steps[i].name, r->steps[i].ms,
		    r->steps[i].err != EG_OK ? "  " : "",
		    r->steps[i].err != EG_OK ? eg_err_name(r->steps[i].err) : "");
	printf("  %-24s %9.2f ms\n", "total", r->total_ms);
	printf("%-10s %s", "result", doc_outcome_str(r->outcome));
	if (r->err != EG_OK)
		printf(" (%s%s", eg_strerror(r->err), r->sw != 0 ? ", SW " : ")");
	if (r->err != EG_OK && r->sw != 0)
		printf("%04X)", r->sw);
	printf("\n");
}

/* ---- --trace ----------------------------------------------------------------- */

/* The trace sink: one line per event, redacted by struct icao_tracer
 * (icao/trace.h), with the time since the start of the read. */
struct trace_out {
	FILE *f;
	struct icao_tracer t;
	char *line;		/* ICAO_TRACE_LINE_MAX bytes */
	struct timespec t0;
	bool failed;
};

static void
trace_sink(void *ctx, const struct icao_trace_ev *ev)
{
	struct trace_out *o = ctx;
	struct timespec now;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - o->t0.tv_sec) * 1e3 +
	    (double)(now.tv_nsec - o->t0.tv_nsec) / 1e6;
	(void)icao_tracer_line(&o->t, ev, o->line, ICAO_TRACE_LINE_MAX);
	if (fprintf(o->f, "%10.2f %s\n", ms, o->line) < 0)
		o->failed = true;
	if (o->line[0] != '\0')
		eg_memzero(o->line, strlen(o->line));	/* may hold file contents */
}

static int
trace_open(struct trace_out *o, const char *path, bool with_data)
{
	int fd;

	memset(o, 0, sizeof(*o));
	o->t.flags = with_data ? ICAO_TRACE_FILE_DATA : 0;
	if ((o->line = malloc(ICAO_TRACE_LINE_MAX)) == NULL)
		return EG_ERR_NOMEM;
	o->line[0] = '\0';
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return EG_ERR_IO;
	if ((o->f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return EG_ERR_IO;
	}
	clock_gettime(CLOCK_MONOTONIC, &o->t0);
	fprintf(o->f, "# egate read APDU trace (docs/reading.md): ms, then '>' the "
	    "plain command, '|' '<' the response\n"
	    "# never written: keys, key agreement and authentication data, "
	    "protected payloads\n# file contents: %s\n",
	    with_data ? "INCLUDED (personal data: handle and delete as such)" :
	    "omitted (EF.CardAccess, EF.ATR/INFO and EF.CardSecurity only)");
	return EG_OK;
}

static int
trace_close(struct trace_out *o)
{
	int ret = o->failed ? EG_ERR_IO : EG_OK;

	if (o->f != NULL && fclose(o->f) != 0)
		ret = EG_ERR_IO;
	o->f = NULL;
	free(o->line);
	o->line = NULL;
	return ret;
}

/* ---- main ------------------------------------------------------------------ */

struct read_ctx {
	struct usb_profile_table *pt;
	struct sim_doc_reader sim;	/* the sim:PROFILE backend (simulation) */
	struct doc_reader *reader;
	struct csca_store *store;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};

/* The reader through doc_reader_open (doc/reader.h): usb, vpcd and the
 * simulated sim:PROFILE. A bad spec or an unknown traveller is a usage
 * error; a reader that is not there, or fails, is not. */
static int
open_reader(struct read_ctx *x, const char *spec, const char *pki_dir, unsigned wait_s,
    struct doc_card *card, char *desc, size_t cap)
{
	const struct doc_reader_backend *extra[] = { &x->sim.backend, NULL };
	struct doc_reader_opts o;
	char err[512] = "";
	int ret;

	memset(&o, 0, sizeof(o));
	o.profiles = x->pt;
	o.vpcd_wait_ms = wait_s * 1000u;
	o.extra = extra;
	x->sim.pki_write_dir = pki_dir;
	if ((ret = doc_reader_open(spec, &o, &x->reader, err, sizeof(err))) != EG_OK) {
		cli_err(CMD, "%s", err);
		return ret == EG_ERR_INVAL ? EGATE_EXIT_USAGE : EGATE_EXIT_ERROR;
	}
	doc_reader_card(x->reader, card);
	snprintf(desc, cap, "%s", doc_reader_desc(x->reader));
	return EGATE_EXIT_OK;
}

static int
load_trust(struct read_ctx *x, const char *csca, const char *crl)
{
	char reason[256] = "";
	size_t n = 0, nf = 0;
	int ret;

	if ((ret = csca_store_new(&x->store)) != EG_OK)
		return EGATE_EXIT_ERROR;
	ret = csca_store_load_path(x->store, csca, time(NULL), &n, &nf, reason,
	    sizeof(reason));
	if (ret != EG_OK || n == 0) {
		cli_err(CMD, "trust anchors from %s: %s%s%s", csca,
		    ret != EG_OK ? eg_strerror(ret) : "no CSCA certificate found",
		    reason[0] ? ": " : "", reason);
		return EGATE_EXIT_ERROR;
	}
	if (crl != NULL) {
		ret = csca_store_load_crl_dir(x->store, crl, &n, &nf);
		if (ret != EG_OK) {
			cli_err(CMD, "CRLs from %s: %s (%zu refused)", crl,
			    eg_strerror(ret), nf);
			return EGATE_EXIT_ERROR;
		}
	}
	return EGATE_EXIT_OK;
}

int
cmd_read(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reader", required_argument, NULL, 'r' },
		{ "mrz", required_argument, NULL, 'm' },
		{ "can", required_argument, NULL, 'C' },
		{ "csca", required_argument, NULL, 'c' },
		{ "crl", required_argument, NULL, 'l' },
		{ "sim-pki", required_argument, NULL, 'S' },
		{ "profiles", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "trace", required_argument, NULL, 't' },
		{ "trace-data", no_argument, NULL, 'D' },
		{ "wait", required_argument, NULL, 'w' },
		{ "list-readers", no_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *reader = NULL, *csca = NULL, *crl = NULL, *pki_dir = NULL;
	const char *prof = NULL, *outdir = NULL, *mrz_arg = NULL, *can = NULL;
	const char *trace_path = NULL;
	bool trace_data = false;
	struct trace_out tr;
	char mrz[READ_MRZ_MAX] = "", can_buf[32] = "", crl_buf[4096], desc[256] = "";
	bool json = false, list = false;
	unsigned long wait_s = 10;
	struct read_ctx x;
	struct doc_card card;
	struct doc_read_opts o;
	struct doc_result *res = NULL;
	struct eg_cfg_error cerr;
	char *end;
	int c, ret = EGATE_EXIT_USAGE, err;

	memset(&x, 0, sizeof(x));
	memset(&tr, 0, sizeof(tr));
	sim_doc_reader_init(&x.sim);
	mbedtls_entropy_init(&x.entropy);
	mbedtls_ctr_drbg_init(&x.drbg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:m:C:c:l:S:p:o:t:Dw:Ljh", opts,
	    NULL)) != -1) {
		switch (c) {
		case 'r': reader = optarg; break;
		case 'm': mrz_arg = optarg; break;
		case 'C': can = optarg; break;
		case 'c': csca = optarg; break;
		case 'l': crl = optarg; break;
		case 'S': pki_dir = optarg; break;
		case 'p': prof = optarg; break;
		case 'o': outdir = optarg; break;
		case 't': trace_path = optarg; break;
		case 'D': trace_data = true; break;
		case 'w':
			errno = 0;
			wait_s = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 || wait_s > 3600) {
				cli_err(CMD, "--wait takes 0..3600 seconds");
				goto out;
			}
			break;
		case 'L': list = true; break;
		case 'j': json = true; break;
		case 'h': help(stdout); ret = EGATE_EXIT_OK; goto out;
		default: help(stderr); goto out;
		}
	}
	if (optind != argc) {
		cli_err(CMD, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (list) {
		ret = list_readers(profiles_path(prof), json);
		goto out;
	}
	if (trace_data && trace_path == NULL) {
		cli_err(CMD, "--trace-data goes with --trace FILE");
		goto out;
	}
	if (reader == NULL || (mrz_arg == NULL) == (can == NULL)) {
		cli_err(CMD, "need --reader and exactly one of --mrz or --can");
		goto out;
	}
	if (mrz_arg != NULL && copy_mrz(mrz_arg, mrz, sizeof(mrz)) != EG_OK) {
		cli_err(CMD, "--mrz is too long");
		goto out;
	}
	if (can != NULL && snprintf(can_buf, sizeof(can_buf), "%s", can) >=
	    (int)sizeof(can_buf)) {
		cli_err(CMD, "--can is too long");
		goto out;
	}
	/* the MRZ and CAN are key material: not left in argv (ps, core files) */
	wipe_arg(argv, mrz_arg);
	if (can != NULL) {
		wipe_arg(argv, can);
		can = can_buf;
	}
	if (pki_dir != NULL && strncmp(reader, "sim:", 4) != 0) {
		cli_err(CMD, "--sim-pki only goes with a sim: reader");
		goto out;
	}
	if (csca == NULL && pki_dir != NULL) {
		csca = pki_dir;
		if (crl == NULL) {
			snprintf(crl_buf, sizeof(crl_buf), "%s/crl", pki_dir);
			crl = crl_buf;
		}
	}
	if (csca == NULL) {
		cli_err(CMD, "need --csca (trust anchors for passive authentication)");
		goto out;
	}
	ret = EGATE_EXIT_ERROR;
	if ((x.pt = calloc(1, sizeof(*x.pt))) == NULL)
		goto out;
	if (usb_profile_load_file(profiles_path(prof), x.pt, &cerr) != EG_OK &&
	    prof != NULL) {
		char eb[512];

		cli_err(CMD, "%s", eg_cfg_error_str(&cerr, eb, sizeof(eb)));
		goto out;
	}
	if (mbedtls_ctr_drbg_seed(&x.drbg, mbedtls_entropy_func, &x.entropy,
	    (const unsigned char *)"egate read", 10) != 0) {
		cli_err(CMD, "cannot seed the random generator");
		goto out;
	}
	ret = open_reader(&x, reader, pki_dir, (unsigned)wait_s, &card, desc, sizeof(desc));
	if (ret != EGATE_EXIT_OK || (ret = load_trust(&x, csca, crl)) != EGATE_EXIT_OK)
		goto out;
	memset(&o, 0, sizeof(o));
	o.mrz = mrz_arg != NULL ? mrz : NULL;
	o.can = can;
	o.store = x.store;
	o.rng = cli_rng;
	o.rng_ctx = &x.drbg;
	if (trace_path != NULL) {
		if ((err = trace_open(&tr, trace_path, trace_data)) != EG_OK) {
			cli_err(CMD, "cannot write the trace to %s: %s", trace_path,
			    eg_strerror(err));
			ret = EGATE_EXIT_ERROR;
			goto out;
		}
		o.trace = trace_sink;
		o.trace_ctx = &tr;
	}
	err = doc_read(&card, &o, &res);
	if (trace_path != NULL && trace_close(&tr) != EG_OK) {
		cli_err(CMD, "cannot write the trace to %s", trace_path);
		ret = EGATE_EXIT_ERROR;
		goto out;
	}
	if (err != EG_OK) {
		cli_err(CMD, "%s%s", eg_strerror(err),
		    err == EG_ERR_FORMAT || err == EG_ERR_CHECKSUM ?
		    " (the MRZ given does not parse: see egate mrz)" : "");
		ret = err == EG_ERR_FORMAT || err == EG_ERR_CHECKSUM ? EGATE_EXIT_USAGE :
		    EGATE_EXIT_ERROR;
		goto out;
	}
	if (json) {
		struct eg_json j;

		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key_str(&j, "reader", desc);
		eg_json_key(&j, "result");
		doc_result_json(res, true, &j);
		eg_json_obj_end(&j);
		(void)eg_json_finish(&j);
		printf("\n");
	} else {
		print_text(desc, res);
	}
	if (outdir != NULL && (err = save_all(outdir, res)) != EG_OK) {
		cli_err(CMD, "cannot save to %s: %s", outdir, eg_strerror(err));
		ret = EGATE_EXIT_ERROR;
		goto out;
	}
	ret = res->outcome == DOC_OUTCOME_PASS ? EGATE_EXIT_OK :
	    res->outcome == DOC_OUTCOME_FAIL ? EGATE_EXIT_FAIL : EGATE_EXIT_ERROR;
out:
	(void)trace_close(&tr);
	doc_result_free(&res);
	eg_memzero(mrz, sizeof(mrz));
	eg_memzero(can_buf, sizeof(can_buf));
	csca_store_free(&x.store);
	doc_reader_free(&x.reader);
	sim_doc_reader_clear(&x.sim);
	free(x.pt);
	mbedtls_ctr_drbg_free(&x.drbg);
	mbedtls_entropy_free(&x.entropy);
	return ret;
}
