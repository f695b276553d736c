// The weights of a decoder-only transformer, built from named tensors in
// llama.cpp's naming (token_embd.weight, blk.N.attn_q.weight, …; the
// TypeScript side maps Hugging Face names onto these). Tensor bytes stay where
// the caller keeps them (memory maps); only norms and biases are copied.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/job.h"
#include "core/tensor.h"
#include "engine/config.h"
#include "engine/linear.h"
#include "engine/ops.h"

namespace mcs::engine {

using TensorMap = std::map<std::string, TensorView>;

struct Norm {
  std::vector<float> weight, bias;  // bias empty for RMSNorm
};

struct Block {
  Norm attn_norm, ffn_norm;
  // Llama family: q, k, v, o, gate, up, down. GPT-2: qkv (fused), o, up, down.
  std::unique_ptr<Linear> q, k, v, qkv, o, gate, up, down;
};

struct ModelOptions {
  LinearOptions linear;         // for the blocks' linear layers
  LinearOptions output_linear;  // the output head (kept dense by LLM.int8(), as bitsandbytes does)
};

class Model {
 public:
  // Validates every tensor against the config; throws mcs::Error naming the
  // tensor and the problem. Long (quantizing) builds poll ctx for cancel.
  Model(const EngineConfig& cfg, const TensorMap& tensors, const ModelOptions& opt, const JobContext& ctx);

  const EngineConfig& config() const { return cfg_; }
  const std::vector<Block>& blocks() const { return blocks_; }
  const Norm& output_norm() const { return output_norm_; }
  const Linear& output() const { return *output_; }
  const Rope* rope() const { return rope_.get(); }
  bool tied() const { return tied_; }

  // x[t] = embedding of tokens[t] (+ learned position first_pos + t for GPT-2).
  void embed(const int32_t* tokens, int64_t T, int64_t first_pos, float* x) const;

  // Every linear layer with its name ("blk.3.attn_q", "output").
  std::vector<std::pair<std::string, const Linear*>> linears() const;
  void reset_linear_stats() const;
  // Weight bytes read per generated token (every linear layer, the head included).
  uint64_t bytes_per_token() const;
  // Bytes of all weights as the engine holds them (int8 copies for LLM.int8()).
  uint64_t size_bytes() const;

 private:
  void build_blocks(const TensorMap& t, bool norm_bias, const JobContext& ctx,
                    const std::function<void(Block&, const std::string&)>& linears);
  void build_llama(const TensorMap& t, const ModelOptions& opt, const JobContext& ctx);
  void build_gpt2(const TensorMap& t, const ModelOptions& opt, const JobContext& ctx);
  void build_output(const TensorMap& t, const ModelOptions& opt);

  EngineConfig cfg_;
  TensorView tok_embd_, pos_embd_;
  std::vector<Block> blocks_;
  Norm output_norm_;
  std::unique_ptr<Linear> output_;
  std::unique_ptr<Rope> rope_;
  bool tied_ = false;
};

}  // namespace mcs::engine
