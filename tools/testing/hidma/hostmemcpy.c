// SPDX-License-Identifier: GPL-2.0
/*
 * Host memcpy/memset bandwidth: the ceiling of an emulated DMA engine,
 * whose model moves guest memory with the host's memmove/memset.
 *
 *   hostmemcpy [DURATION_MS [RUNS [SIZE...]]]
 *
 * Prints one CSV line per op, size and run:
 *   RAW,host,host-memcpy,<op>,<size>,1,1,cpu,<run>,<ops>,0,<ops/s>,<KiB/s>,0
 * (the raw format of the bench; see bench.sh).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Through a volatile pointer, so the compiler cannot drop or merge calls. */
static void *(*volatile do_memcpy)(void *, const void *, size_t) = memcpy;
static void *(*volatile do_memset)(void *, int, size_t) = memset;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void measure(const char *op, size_t size, unsigned int run,
		    uint64_t duration_ns, char *src, char *dst)
{
	uint64_t start, elapsed, ops = 0;
	unsigned int batch = size >= 65536 ? 1 : (unsigned int)(65536 / size);
	double persec;
	unsigned int i;

	start = now_ns();
	do {
		for (i = 0; i < batch; i++) {
			if (op[3] == 'c')
				do_memcpy(dst, src, size);
			else
				do_memset(dst, (int)(ops + i), size);
		}
		ops += batch;
		elapsed = now_ns() - start;
	} while (elapsed < duration_ns);
	persec = (double)ops * 1e9 / (double)elapsed;
	printf("RAW,host,host-memcpy,%s,%zu,1,1,cpu,%u,%llu,0,%.2f,%.0f,0\n",
	       op, size, run, (unsigned long long)ops, persec,
	       persec * (double)size / 1024.0);
}

int main(int argc, char **argv)
{
	static const size_t def_sizes[] = { 64, 512, 4096, 65536, 1048576 };
	uint64_t duration_ns = 200 * 1000000ull;
	unsigned int runs = 3, run, nsizes, i;
	size_t sizes[32], max = 0;
	const char *ops[] = { "memcpy", "memset" };
	char *src, *dst;
	int o;

	if (argc > 1)
		duration_ns = strtoull(argv[1], NULL, 0) * 1000000ull;
	if (argc > 2)
		runs = (unsigned int)strtoul(argv[2], NULL, 0);
	if (argc > 3) {
		nsizes = 0;
		for (i = 3; i < (unsigned int)argc && nsizes < 32; i++)
			sizes[nsizes++] = strtoull(argv[i], NULL, 0);
	} else {
		nsizes = sizeof(def_sizes) / sizeof(def_sizes[0]);
		memcpy(sizes, def_sizes, sizeof(def_sizes));
	}
	for (i = 0; i < nsizes; i++) {
		if (!sizes[i]) {
			fprintf(stderr, "hostmemcpy: size 0\n");
			return 2;
		}
		if (sizes[i] > max)
			max = sizes[i];
	}
	if (posix_memalign((void **)&src, 4096, max) ||
	    posix_memalign((void **)&dst, 4096, max)) {
		fprintf(stderr, "hostmemcpy: out of memory\n");
		return 1;
	}
	memset(src, 0x5a, max);
	memset(dst, 0xa5, max);
	/* Runs outermost, so that a burst of load elsewhere hits one run of each. */
	for (run = 1; run <= runs; run++)
		for (o = 0; o < 2; o++)
			for (i = 0; i < nsizes; i++)
				measure(ops[o], sizes[i], run, duration_ns, src, dst);
	free(src);
	free(dst);
	return 0;
}
