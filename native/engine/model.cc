#include "engine/model.h"

#include <cstring>

#include "core/error.h"

namespace mcs::engine {
namespace {

std::string dims(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

const TensorView* find(const TensorMap& t, const std::string& name) {
  auto it = t.find(name);
  return it == t.end() ? nullptr : &it->second;
}

const TensorView& need(const TensorMap& t, const std::string& name) {
  const TensorView* v = find(t, name);
  if (!v) fail("the model has no tensor '" + name + "'");
  return *v;
}

void check_shape(const TensorView& v, const std::string& name, const std::vector<int64_t>& want) {
  if (v.shape != want) fail("tensor '" + name + "' has shape " + dims(v.shape) + ", expected " + dims(want));
}

std::vector<float> vector_f32(const TensorMap& t, const std::string& name, int64_t n) {
  const TensorView& v = need(t, name);
  check_shape(v, name, {n});
  if (is_block_type(v.dtype)) fail("tensor '" + name + "' is of block type " + dtype_info(v.dtype).name + "; expected floats");
  std::vector<float> out(static_cast<size_t>(n));
  to_f32(v, 0, n, out.data());
  return out;
}

Norm norm(const TensorMap& t, const std::string& prefix, int64_t d, bool with_bias) {
  Norm n;
  n.weight = vector_f32(t, prefix + ".weight", d);
  if (with_bias) n.bias = vector_f32(t, prefix + ".bias", d);
  return n;
}

// prefix.weight, optional prefix.bias, and any other prefix.<role> tensors as
// companions for quantized formats.
std::unique_ptr<Linear> linear(const TensorMap& t, const std::string& prefix, int64_t in, int64_t out, bool in_out,
                               const LinearOptions& opt) {
  LinearSpec spec;
  spec.name = prefix;
  spec.bias = find(t, prefix + ".bias");
  spec.in_out = in_out;
  for (auto it = t.lower_bound(prefix + "."); it != t.end() && it->first.compare(0, prefix.size() + 1, prefix + ".") == 0; ++it) {
    const std::string role = it->first.substr(prefix.size() + 1);
    if (role != "weight" && role != "bias") spec.extra.emplace(role, it->second);
  }
  // Packed formats (compressed-tensors' weight_packed, sparse .compressed) have no plain weight.
  const TensorView* w = find(t, prefix + ".weight");
  if (w) spec.weight = *w;
  else if (spec.extra.empty()) need(t, prefix + ".weight");
  std::unique_ptr<Linear> l = make_linear(spec, opt);
  if (l->in_features() != in || l->out_features() != out)
    fail((w ? "tensor '" + prefix + ".weight' has shape " + dims(spec.weight.shape)
            : "linear layer '" + prefix + "' has " + std::to_string(l->in_features()) + " inputs and " + std::to_string(l->out_features()) + " outputs") +
         ", expected a linear layer of " + std::to_string(in) + " inputs and " + std::to_string(out) + " outputs" + (in_out ? " stored [in, out]" : ""));
  return l;
}

}  // namespace

void EngineConfig::validate() const {
  auto positive = [](int64_t v, const char* what) {
    if (v <= 0 || v > (int64_t(1) << 31)) fail(std::string("model config: ") + what + " must be a positive integer, got " + std::to_string(v));
  };
  positive(hidden, "hidden size");
  positive(intermediate, "intermediate size");
  positive(layers, "number of layers");
  positive(heads, "number of heads");
  positive(kv_heads, "number of key/value heads");
  positive(head_dim, "head dimension");
  positive(vocab, "vocabulary size");
  positive(max_positions, "context length");
  if (heads % kv_heads != 0) fail("model config: " + std::to_string(heads) + " heads are not a multiple of " + std::to_string(kv_heads) + " key/value heads");
  if (!(norm_eps > 0)) fail("model config: the norm epsilon must be positive");
  if (!attention_windows.empty()) {
    if (int64_t(attention_windows.size()) != layers)
      fail("model config: " + std::to_string(attention_windows.size()) + " attention windows for " + std::to_string(layers) + " layers");
    for (int64_t w : attention_windows)
      if (w < 0 || w > (int64_t(1) << 31)) fail("model config: an attention window must be 0 (full) or a positive integer, got " + std::to_string(w));
  }
  if (family == Family::Gpt2 && (q_dim() != hidden || kv_heads != heads))
    fail("model config: GPT-2 needs heads × head_dim = hidden and as many key/value heads as heads");
  if (family == Family::Llama) {
    if (head_dim % 2 != 0) fail("model config: rotary embeddings need an even head dimension");
    if (!(rope.theta > 0)) fail("model config: rope theta must be positive");
    if (rope.scaling != RopeScaling::None && !(rope.factor > 0)) fail("model config: rope scaling factor must be positive");
    if (rope.scaling == RopeScaling::Llama3 && !(rope.high_freq_factor > rope.low_freq_factor))
      fail("model config: llama3 rope scaling needs high_freq_factor > low_freq_factor");
  }
}

Model::Model(const EngineConfig& cfg, const TensorMap& t, const ModelOptions& opt, const JobContext& ctx) : cfg_(cfg) {
  cfg_.validate();
  tok_embd_ = need(t, "token_embd.weight");
  check_shape(tok_embd_, "token_embd.weight", {cfg_.vocab, cfg_.hidden});
  if (cfg_.family == Family::Llama) build_llama(t, opt, ctx);
  else build_gpt2(t, opt, ctx);
  build_output(t, opt);
}

// Builds each block in order (cancel between blocks): the norms, then `linears`.
void Model::build_blocks(const TensorMap& t, bool norm_bias, const JobContext& ctx,
                         const std::function<void(Block&, const std::string&)>& linears) {
  blocks_.resize(size_t(cfg_.layers));
  for (int64_t l = 0; l < cfg_.layers; ++l) {
    ctx.check_cancel();
    ctx.progress(double(l), double(cfg_.layers), "loading layers");
    const std::string p = "blk." + std::to_string(l) + ".";
    Block& b = blocks_[size_t(l)];
    b.attn_norm = norm(t, p + "attn_norm", cfg_.hidden, norm_bias);
    b.ffn_norm = norm(t, p + "ffn_norm", cfg_.hidden, norm_bias);
    linears(b, p);
  }
  output_norm_ = norm(t, "output_norm", cfg_.hidden, norm_bias);
}

void Model::build_llama(const TensorMap& t, const ModelOptions& opt, const JobContext& ctx) {
  const int64_t H = cfg_.hidden, I = cfg_.intermediate;
  const LinearOptions& o = opt.linear;
  std::vector<float> factors;
  if (find(t, "rope_freqs.weight")) {
    if (cfg_.rope.scaling != RopeScaling::None)
      fail("the model has both rope scaling in its config and a rope_freqs.weight tensor; expected one of them");
    factors = vector_f32(t, "rope_freqs.weight", cfg_.head_dim / 2);
  }
  rope_ = std::make_unique<Rope>(cfg_.rope, cfg_.head_dim, factors.empty() ? nullptr : &factors);
  build_blocks(t, false, ctx, [&](Block& b, const std::string& p) {
    b.q = linear(t, p + "attn_q", H, cfg_.q_dim(), false, o);
    b.k = linear(t, p + "attn_k", H, cfg_.kv_dim(), false, o);
    b.v = linear(t, p + "attn_v", H, cfg_.kv_dim(), false, o);
    b.o = linear(t, p + "attn_output", cfg_.q_dim(), H, false, o);
    b.gate = linear(t, p + "ffn_gate", H, I, false, o);
    b.up = linear(t, p + "ffn_up", H, I, false, o);
    b.down = linear(t, p + "ffn_down", I, H, false, o);
  });
}

void Model::build_gpt2(const TensorMap& t, const ModelOptions& opt, const JobContext& ctx) {
  const int64_t H = cfg_.hidden, I = cfg_.intermediate;
  const bool io = cfg_.weights_in_out;
  const LinearOptions& o = opt.linear;
  pos_embd_ = need(t, "position_embd.weight");
  if (pos_embd_.shape.size() != 2 || pos_embd_.shape[1] != H || pos_embd_.shape[0] < cfg_.max_positions)
    fail("tensor 'position_embd.weight' has shape " + dims(pos_embd_.shape) + ", expected [" +
         std::to_string(cfg_.max_positions) + ", " + std::to_string(H) + "]");
  build_blocks(t, true, ctx, [&](Block& b, const std::string& p) {
    b.qkv = linear(t, p + "attn_qkv", H, 3 * H, io, o);
    b.o = linear(t, p + "attn_output", H, H, io, o);
    b.up = linear(t, p + "ffn_up", H, I, io, o);
    b.down = linear(t, p + "ffn_down", I, H, io, o);
  });
}

void Model::build_output(const TensorMap& t, const ModelOptions& opt) {
  // The head: output.weight when present, else the tied token embeddings.
  // A stored quantized head has companions (output.weight_packed, …) instead of output.weight.
  TensorMap head;
  for (auto it = t.lower_bound("output."); it != t.end() && it->first.compare(0, 7, "output.") == 0; ++it) head.emplace(it->first, it->second);
  const bool own = head.size() > head.count("output.bias");
  if (!own && !cfg_.tie_embeddings) fail("the model has no tensor 'output.weight' and its embeddings are not tied");
  tied_ = !own;
  if (tied_) head.emplace("output.weight", tok_embd_);
  output_ = linear(head, "output", cfg_.hidden, cfg_.vocab, false, opt.output_linear);
}

void Model::embed(const int32_t* tokens, int64_t T, int64_t first_pos, float* x) const {
  const int64_t H = cfg_.hidden;
  for (int64_t i = 0; i < T; ++i) {
    if (tokens[i] < 0 || tokens[i] >= cfg_.vocab)
      fail("token id " + std::to_string(tokens[i]) + " is outside the vocabulary of " + std::to_string(cfg_.vocab));
    to_f32(tok_embd_, int64_t(tokens[i]) * H, H, x + i * H);
  }
  if (cfg_.family != Family::Gpt2) return;
  std::vector<float> pos(static_cast<size_t>(H));
  for (int64_t i = 0; i < T; ++i) {
    to_f32(pos_embd_, (first_pos + i) * H, H, pos.data());
    for (int64_t j = 0; j < H; ++j) x[i * H + j] += pos[size_t(j)];
  }
}

std::vector<std::pair<std::string, const Linear*>> Model::linears() const {
  std::vector<std::pair<std::string, const Linear*>> out;
  static const char* const kNames[] = {"attn_q", "attn_k", "attn_v", "attn_qkv", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};
  for (size_t l = 0; l < blocks_.size(); ++l) {
    const Block& b = blocks_[l];
    const Linear* ls[] = {b.q.get(), b.k.get(), b.v.get(), b.qkv.get(), b.o.get(), b.gate.get(), b.up.get(), b.down.get()};
    for (size_t i = 0; i < 8; ++i)
      if (ls[i]) out.emplace_back("blk." + std::to_string(l) + "." + kNames[i], ls[i]);
  }
  out.emplace_back("output", output_.get());
  return out;
}

void Model::reset_linear_stats() const {
  for (auto& [name, l] : linears()) l->reset_stats();
}

uint64_t Model::bytes_per_token() const {
  uint64_t n = 0;
  for (auto& [name, l] : linears()) n += l->weight_bytes();
  return n;
}

uint64_t Model::size_bytes() const {
  uint64_t n = tok_embd_.nbytes + pos_embd_.nbytes + bytes_per_token();
  // A tied head is the embedding matrix: count it once.
  return tied_ ? n - output_->weight_bytes() : n;
}

}  // namespace mcs::engine
