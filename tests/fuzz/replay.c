/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay.c — run a fuzz target over corpus files without libFuzzer.
 *
 * Linked with each fuzz target in the normal build, so every corpus file
 * (seeds and every past crash, kept as a named regression file) runs under
 * ASan/UBSan in `meson test`. Arguments are files or directories; a
 * directory is read one level deep. Exits non-zero if no input was found
 * (an empty corpus must not pass silently) or a file cannot be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	int ret = -1;

	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: %s: cannot size\n", path);
		goto out;
	}
	/* exact-size allocation so ASan catches any overread */
	if ((buf = malloc(len > 0 ? (size_t)len : 1)) == NULL)
		goto out;
	if (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "replay: %s: short read\n", path);
		goto out;
	}
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	ret = 0;
out:
	free(buf);
	fclose(f);
	return ret;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	int nrun = 0, nfail = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 2;
		}
		if (!S_ISDIR(st.st_mode)) {
			nfail += run_file(argv[i]) != 0;
			nrun++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *de;
		char **names = NULL;
		size_t n = 0, cap = 0;
		if (d == NULL)
			return 2;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				char **nn = realloc(names, cap * sizeof(*names));
				if (nn == NULL)
					return 2;
				names = nn;
			}
			if ((names[n] = malloc(strlen(argv[i]) + strlen(de->d_name) + 2)) == NULL)
				return 2;
			sprintf(names[n++], "%s/%s", argv[i], de->d_name);
		}
		closedir(d);
		qsort(names, n, sizeof(*names), cmp);
		for (size_t j = 0; j < n; j++) {
			nfail += run_file(names[j]) != 0;
			nrun++;
			free(names[j]);
		}
		free(names);
	}
	printf("replay: %d input(s), %d unreadable\n", nrun, nfail);
	if (nrun == 0) {
		fprintf(stderr, "replay: no corpus files found\n");
		return 1;
	}
	return nfail == 0 ? 0 : 1;
}
