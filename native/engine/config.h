// Hyperparameters of a decoder-only transformer as the engine runs it. The
// TypeScript side fills this from ModelConfig (config.json or GGUF metadata).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mcs::engine {

enum class Family { Llama, Gpt2 };
// Which rows of q/k form a rotary pair: HF "rotate half" pairs (i, i + d/2);
// GGUF files of llama models hold q/k rows permuted so pairs are (2i, 2i + 1).
enum class RopeLayout { Half, Interleaved };
enum class RopeScaling { None, Linear, Llama3 };
enum class Activation { Silu, GeluTanh, GeluErf };

struct RopeConfig {
  double theta = 10000.0;
  RopeLayout layout = RopeLayout::Half;
  RopeScaling scaling = RopeScaling::None;
  double factor = 1.0;
  double low_freq_factor = 1.0;   // llama3
  double high_freq_factor = 4.0;  // llama3
  double original_max_positions = 8192;  // llama3
};

struct EngineConfig {
  Family family = Family::Llama;
  std::string architecture;  // for messages ("llama", "qwen2", "gpt2", ...)
  int64_t hidden = 0;
  int64_t intermediate = 0;
  int64_t layers = 0;
  int64_t heads = 0;
  int64_t kv_heads = 0;
  int64_t head_dim = 0;
  int64_t vocab = 0;
  int64_t max_positions = 0;
  double norm_eps = 1e-5;
  RopeConfig rope;
  Activation activation = Activation::Silu;
  bool tie_embeddings = false;
  // Sliding-window attention (Mistral, Qwen2): per layer, how many keys a query
  // sees counting itself; 0 = all before it. Empty: every layer full.
  std::vector<int64_t> attention_windows;
  // GPT-2 checkpoints from Hugging Face store linear weights as Conv1D [in, out].
  bool weights_in_out = false;

  int64_t q_dim() const { return heads * head_dim; }
  int64_t kv_dim() const { return kv_heads * head_dim; }
  int64_t window(int64_t layer) const { return attention_windows.empty() ? 0 : attention_windows[size_t(layer)]; }
  // Throws mcs::Error naming the first inconsistent field.
  void validate() const;
};

}  // namespace mcs::engine
