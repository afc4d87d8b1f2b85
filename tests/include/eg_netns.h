/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eg_netns.h — tests that listen on TCP ports get a network namespace of
 * their own, so that no other process (another test run, a parallel suite,
 * the kernel's ephemeral-port allocator) can take a port between a test's
 * choice and its use, or while a daemon restarts on it (issue 13, item 10).
 *
 * eg_netns_private() unshares the network namespace of the calling process
 * and brings its loopback up; ports are then free by construction. Without
 * CAP_SYS_ADMIN (a non-root developer) it returns -1 and the caller falls
 * back to eg_netns_port(): a port below the ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range), which the kernel never hands
 * out on its own, checked free at the time.
 */
#ifndef EG_NETNS_H
#define EG_NETNS_H

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static inline int
eg_netns_private(void)
{
	struct ifreq ifr;
	int fd, rc = -1;

	if (unshare(CLONE_NEWNET) != 0)
		return -1;
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr) == 0 ? 0 : -1;
	}
	close(fd);
	return rc;
}

/* A TCP port on 127.0.0.1 outside the ephemeral range, free right now;
 * salt spreads parallel runs apart. 0 if none found. */
static inline int
eg_netns_port(unsigned salt)
{
	int lo = 32768;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");

	if (f != NULL) {
		if (fscanf(f, "%d", &lo) != 1)
			lo = 32768;
		fclose(f);
	}
	if (lo <= 10000)
		return 0;
	unsigned span = (unsigned)(lo - 10000);
	unsigned start = (salt ^ (unsigned)getpid() * 2654435761u ^ (unsigned)time(NULL)) % span;
	for (unsigned i = 0; i < span; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int port = 10000 + (int)((start + i * 7919u) % span);
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

		a.sin_port = htons((uint16_t)port);
		ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		if (fd >= 0)
			close(fd);
		if (ok)
			return port;
	}
	return 0;
}

/* One port for a test: in a private namespace a fixed one, else as above. */
static inline int
eg_netns_test_port(bool private_ns, unsigned salt)
{
	return private_ns ? 7443 + (int)(salt % 1000) : eg_netns_port(salt);
}

#endif
