// Memory bandwidth baselines for the benchmarks, run on the same thread pool
// as the kernels: copy (memcpy in parallel chunks) and read (a sum that
// touches every byte). Each returns the best time of `repeats` passes.
#pragma once
#include <cstddef>
#include <cstdint>

namespace mcs::bench {

double stream_copy_seconds(const uint8_t* src, uint8_t* dst, size_t bytes, int repeats);
double stream_read_seconds(const uint8_t* src, size_t bytes, int repeats, uint64_t* checksum);

}  // namespace mcs::bench
