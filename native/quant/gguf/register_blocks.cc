// Makes core's to_f32 read GGML block tensors with this module's decoders
// (core/tensor.h: core knows the block types' geometry, not their formats).
#include "core/tensor.h"
#include "quant/gguf/gguf_blocks.h"

namespace mcs::gguf {
namespace {

const bool registered = (register_block_decoders(dequantize_blocks, dequantize_blocks_ref), true);

}  // namespace
}  // namespace mcs::gguf
