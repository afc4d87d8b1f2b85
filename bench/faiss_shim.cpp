// SPDX-License-Identifier: Apache-2.0
// faiss_shim.cpp — the benchmark's only C++: FAISS IndexFlatIP (Debian's
// static 1.7.3, no C API) behind four extern "C" functions. Every exception
// is caught at the boundary. Used by bench/bench_match.c only; never linked
// into firmware.
#include <cstddef>
#include <cstdint>
#include <new>

#include <faiss/IndexFlat.h>
#include <omp.h>

extern "C" {
// OpenBLAS is FAISS's BLAS through Debian's alternatives; weak so the shim
// still links against another BLAS.
void openblas_set_num_threads(int) __attribute__((weak));

struct bench_faiss;
bench_faiss *bench_faiss_new(int d);
int bench_faiss_add(bench_faiss *f, const float *x, size_t n);
int bench_faiss_search(bench_faiss *f, const float *q, size_t nq, size_t k, int threads,
    float *dist, int64_t *labels);
void bench_faiss_free(bench_faiss *f);
}

struct bench_faiss {
	faiss::IndexFlatIP index;
	explicit bench_faiss(int d) : index(d) {}
};

bench_faiss *
bench_faiss_new(int d)
{
	try {
		return new bench_faiss(d);
	} catch (...) {
		return nullptr;
	}
}

int
bench_faiss_add(bench_faiss *f, const float *x, size_t n)
{
	try {
		f->index.add(static_cast<faiss::Index::idx_t>(n), x);
		return 0;
	} catch (...) {
		return -1;
	}
}

int
bench_faiss_search(bench_faiss *f, const float *q, size_t nq, size_t k, int threads,
    float *dist, int64_t *labels)
{
	try {
		omp_set_num_threads(threads);
		if (openblas_set_num_threads)
			openblas_set_num_threads(threads);
		f->index.search(static_cast<faiss::Index::idx_t>(nq), q, static_cast<faiss::Index::idx_t>(k), dist,
		    labels);
		return 0;
	} catch (...) {
		return -1;
	}
}

void
bench_faiss_free(bench_faiss *f)
{
	delete f;
}
