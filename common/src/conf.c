/* SPDX-License-Identifier: Apache-2.0 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "egate/conf.h"
#include "egate/error.h"

#define STR(sec, name, st, field, req, help) \
	{ sec, name, EG_CFG_STR, offsetof(st, field), sizeof(((st *)0)->field), 0, 0, NULL, req, help }
#define INT(sec, name, st, field, lo, hi, help) \
	{ sec, name, EG_CFG_INT, offsetof(st, field), 0, lo, hi, NULL, false, help }
#define DBL(sec, name, st, field, lo, hi, help) \
	{ sec, name, EG_CFG_DOUBLE, offsetof(st, field), 0, lo, hi, NULL, false, help }
#define BOOL(sec, name, st, field, help) \
	{ sec, name, EG_CFG_BOOL, offsetof(st, field), 0, 0, 0, NULL, false, help }
#define ENUM(sec, name, st, field, ch, help) \
	{ sec, name, EG_CFG_ENUM, offsetof(st, field), 0, 0, 0, ch, false, help }

static const char *const languages[] = { "en", "ko", NULL };
static const char *const chip_auth_actions[] = { "refer", "accept", NULL };
static const char *const levels[] = { "debug", "info", "notice", "warn", "error", NULL };

#define K struct eg_kiosk_conf
const struct eg_cfg_key eg_kiosk_conf_schema[] = {
	STR("kiosk", "id", K, id, true, "kiosk identifier; must match the CN of the kiosk certificate"),
	STR("kiosk", "lane", K, lane, false, "lane name shown to officers"),
	ENUM("kiosk", "language", K, language, languages, "default traveller language: en or ko"),
	ENUM("kiosk", "log_level", K, log_level, levels, "debug, info, notice, warn or error"),
	INT("kiosk", "officer_wait", K, officer_wait, 0, 86400, "seconds a referral or a hold waits for an officer's command before the kiosk closes it itself, without a decision (default 120)"),
	STR("host", "address", K, host_address, true, "host name or address of egate-host"),
	INT("host", "port", K, host_port, 1, 65535, "TCP port of egate-host"),
	STR("host", "ca", K, ca, true, "deployment CA certificate (PEM)"),
	STR("host", "cert", K, cert, true, "this kiosk's certificate (PEM)"),
	STR("host", "key", K, key, true, "this kiosk's private key (PEM)"),
	STR("host", "spool", K, spool, true, "SQLite spool for events not yet acknowledged"),
	BOOL("host", "connect", K, host_connect, "deliver records to egate-host (false: spool only, e.g. a standalone simulation)"),
	STR("host", "server_name", K, host_server_name, false, "CN the host certificate must carry (default egate-host)"),
	INT("host", "offline_limit", K, host_offline_limit, 0, 86400, "seconds without the host after which the kiosk takes no new traveller until it is back (0: never; default 300)"),
	STR("host", "seal_cert", K, seal_cert, false, "host certificate (PEM): document numbers and names are sealed to its key; must chain to ca with CN = server_name (empty: records carry neither)"),
	STR("devices", "reader", K, reader, false, "document reader: usb[:VID:PID] (USB CCID) or vpcd[:PORT] (default usb)"),
	STR("devices", "camera", K, camera, false, "camera: uvc[:VID:PID] (default uvc)"),
	STR("devices", "mrz", K, mrz_reader, false, "MRZ reader: acm[:VID:PID] (a CDC-ACM OCR reader) or hid[:VID:PID] (a reader that types the MRZ as a USB HID keyboard; usbhid is detached while the kiosk holds it) (default acm)"),
	STR("devices", "gate", K, gate, false, "gate: gpio:CHIP:relay=N,door=M[,door-open=O][,passage=K][,OPTIONS] (a relay and the door and passage sensors on GPIO lines, libgpiod) or hidrelay[:VID:PID][,channel=N][,chip=CHIP,door=M[,door-open=O][,passage=K]][,OPTIONS] (a USBRelay HID board, default 16c0:05df channel 1; without chip= the door is the relay's read-back); OPTIONS: active-low=ROLE[+ROLE...] (relay, door, door-open, passage), bias=pull-up|pull-down|disable, confirm=MS (100 to 60000, default 2000), debounce=MS (0 to 1000, default 30); a spec that does not parse stops egate-kiosk (exit 2), a gate absent or faulty at start leaves it out of service (docs/gate.md; the simulation runner adds sim and lane)"),
	STR("devices", "display", K, display, false, "traveller display: text (lines on standard output), web[:ADDRESS:PORT] (a page for a browser on this board, loopback only; web alone: 127.0.0.1:8471) or none (default text)"),
	STR("face", "model_dir", K, model_dir, false, "folder with the face models"),
	STR("trust", "csca", K, csca, false, "CSCA certificates: a folder of PEM/DER files or an ICAO master list"),
	STR("trust", "crl_dir", K, crl_dir, false, "folder of CRLs for Document Signer revocation"),
	STR("policy", "accepted_issuers", K, accepted_issuers, false, "issuing states (UTO) or state:type (UTO:P) accepted, comma-separated; empty: all"),
	INT("policy", "min_age", K, min_age, 0, 120, "minimum holder age in years (0: no minimum)"),
	ENUM("policy", "no_chip_auth", K, no_chip_auth, chip_auth_actions, "chip without Active/Chip Authentication: refer or accept"),
	DBL("policy", "match_threshold", K, match_threshold, 0, 1, "1:1 face cosine at or above which the faces match (0: default 0.50)"),
	DBL("policy", "liveness_threshold", K, liveness_threshold, 0, 1, "PAD live score below which the PAD alarm fires (0: default 0.50)"),
	DBL("policy", "watchlist_threshold", K, watchlist_threshold, 0, 1, "watchlist cosine at or above which it is a hit (0: default 0.50)"),
};
const size_t eg_kiosk_conf_nkeys = sizeof(eg_kiosk_conf_schema) / sizeof(eg_kiosk_conf_schema[0]);
#undef K

#define H struct eg_host_conf
const struct eg_cfg_key eg_host_conf_schema[] = {
	STR("host", "listen", H, listen, false, "address to listen on"),
	INT("host", "port", H, port, 1, 65535, "TCP port"),
	ENUM("host", "log_level", H, log_level, levels, "debug, info, notice, warn or error"),
	INT("host", "max_kiosks", H, max_kiosks, 1, 100000, "most kiosk connections at once"),
	STR("tls", "ca", H, ca, true, "deployment CA certificate (PEM): kiosks and officers chain to it"),
	STR("tls", "cert", H, cert, true, "host certificate (PEM)"),
	STR("tls", "key", H, key, true, "host TLS private key (PEM)"),
	STR("tls", "crl", H, crl, false, "CRL of revoked kiosk and officer certificates (PEM)"),
	STR("audit", "db", H, db, true, "audit database (SQLite)"),
	STR("audit", "signing_key", H, signing_key, true, "ECDSA P-256 key that signs checkpoints (PEM)"),
	STR("audit", "hmac_key", H, hmac_key, true, "file with the key for HMACs of personal identifiers"),
	INT("audit", "checkpoint_interval", H, checkpoint_interval, 1, 3600, "seconds between signed checkpoints while records arrive"),
	INT("audit", "retention_days", H, retention_days, 1, 36500, "days before record payloads are purged"),
	STR("policy", "file", H, policy_file, false, "policy bundle pushed to every kiosk (docs/host.md); empty: none, kiosks keep their own [policy]"),
	STR("seal", "key", H, seal_key, false, "P-256 key (PEM) that opens the kiosks' sealed identifiers, not the TLS key; when set, only event-bound seals (version 3) are accepted and clear identifiers are refused (docs/host.md); empty: the TLS key opens every version"),
};
const size_t eg_host_conf_nkeys = sizeof(eg_host_conf_schema) / sizeof(eg_host_conf_schema[0]);
#undef H

void
eg_kiosk_conf_defaults(struct eg_kiosk_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->language = EG_LANG_EN;
	c->log_level = EG_CONF_LOG_INFO;
	c->host_port = 4433;
	c->host_connect = true;
	c->host_offline_limit = 300;
	snprintf(c->host_server_name, sizeof(c->host_server_name), "egate-host");
	snprintf(c->reader, sizeof(c->reader), "usb");
	snprintf(c->camera, sizeof(c->camera), "uvc");
	snprintf(c->mrz_reader, sizeof(c->mrz_reader), "acm");
	snprintf(c->display, sizeof(c->display), "text");
	c->officer_wait = 120;
}

void
eg_host_conf_defaults(struct eg_host_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "0.0.0.0");
	c->port = 4433;
	c->log_level = EG_CONF_LOG_INFO;
	c->max_kiosks = 1024;
	c->checkpoint_interval = 60;
	c->retention_days = 365;
}

int
eg_kiosk_conf_load(const char *path, struct eg_kiosk_conf *c, struct eg_cfg_error *err)
{
	eg_kiosk_conf_defaults(c);
	return eg_cfg_load_file(path, eg_kiosk_conf_schema, eg_kiosk_conf_nkeys, c, err);
}

int
eg_host_conf_load(const char *path, struct eg_host_conf *c, struct eg_cfg_error *err)
{
	eg_host_conf_defaults(c);
	return eg_cfg_load_file(path, eg_host_conf_schema, eg_host_conf_nkeys, c, err);
}
