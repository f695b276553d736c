// A fixed pool of worker threads for data-parallel kernels. One parallel region
// runs at a time (concurrent callers queue on a mutex); the calling thread works
// too, and a nested call from inside a region runs inline instead of deadlocking.
#pragma once
#include <cstddef>
#include <functional>

namespace mcs::cpu {

// Body receives a half-open range [begin, end) of the iteration space.
using RangeFn = std::function<void(size_t begin, size_t end)>;

// Splits [0, n) into chunks of at least `grain` items and runs them in parallel.
// The first exception thrown by any chunk is rethrown on the calling thread
// after every running chunk has stopped; remaining chunks are skipped.
void parallel_for(size_t n, size_t grain, const RangeFn& body);

// Number of threads that parallel_for uses (workers + caller).
int num_threads();
// 0 means one per hardware thread. Takes effect for the next parallel region.
void set_num_threads(int n);

}  // namespace mcs::cpu
