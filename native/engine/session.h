// One conversation with a model: its KV cache and position. Prompts go in as
// batches of T tokens (processed together, in micro-batches of at most
// `kMicroBatch`), generation one token at a time; both give the same logits.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "core/job.h"
#include "engine/model.h"

namespace mcs::engine {

struct EvalOutputs {
  // Rows of the batch (0 … T − 1, ascending) whose logits are wanted, and where
  // they go: logits[i · vocab …] for logit_rows[i]. Empty: no logits.
  std::vector<int64_t> logit_rows;
  float* logits = nullptr;
  // When set, the residual stream after each block: hidden[(l · T + t) · hidden_size …].
  float* hidden = nullptr;
};

class Session {
 public:
  static constexpr int64_t kMicroBatch = 256;

  // Throws when `context` is not positive or exceeds what the model allows.
  Session(std::shared_ptr<const Model> model, int64_t context);

  const Model& model() const { return *model_; }
  int64_t context() const { return context_; }
  int64_t position() const { return position_; }
  // Forgets everything after the first n positions (n ≤ position()).
  void truncate(int64_t n);

  // Runs tokens at positions position() … position() + T − 1 and advances the
  // position. On error or cancel the position stays where it was.
  void eval(const int32_t* tokens, int64_t T, const EvalOutputs& out, const JobContext& ctx);

  static uint64_t cache_bytes(const EngineConfig& cfg, int64_t context);

 private:
  struct Scratch {
    std::vector<float> x, h, q, k, v, att, tmp, gate, up, cos, sin;
  };
  void block_llama(int64_t l, int64_t first, int64_t T, Scratch& s);
  void block_gpt2(int64_t l, int64_t first, int64_t T, Scratch& s);
  void head(const Scratch& s, int64_t T, int64_t t0, const EvalOutputs& out) const;

  std::shared_ptr<const Model> model_;
  int64_t context_;
  int64_t position_ = 0;
  std::vector<std::vector<float>> k_cache_, v_cache_;  // per layer [context, kv_dim]
  Scratch scratch_;
};

}  // namespace mcs::engine
