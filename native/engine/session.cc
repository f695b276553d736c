#include "engine/session.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "cpu/thread_pool.h"
#include "engine/attention.h"
#include "engine/ops.h"

namespace mcs::engine {
namespace {

void add_into(float* x, const float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] += y[i];
}

// Per-token steps split across threads when the batch is large enough to pay.
template <typename F>
void per_token(int64_t T, int64_t d, F&& fn) {
  cpu::parallel_for(size_t(T), size_t(std::max<int64_t>(1, 8192 / std::max<int64_t>(d, 1))), [&](size_t b, size_t e) {
    for (size_t t = b; t < e; ++t) fn(int64_t(t));
  });
}

void grow(std::vector<float>& v, int64_t n) {
  if (int64_t(v.size()) < n) v.resize(size_t(n));
}

}  // namespace

uint64_t Session::cache_bytes(const EngineConfig& cfg, int64_t context) {
  return uint64_t(cfg.layers) * 2 * uint64_t(context) * uint64_t(cfg.kv_dim()) * sizeof(float);
}

Session::Session(std::shared_ptr<const Model> model, int64_t context) : model_(std::move(model)), context_(context) {
  const EngineConfig& c = model_->config();
  if (context <= 0) fail("session context must be positive, got " + std::to_string(context));
  if (c.family == Family::Gpt2 && context > c.max_positions)
    fail("session context " + std::to_string(context) + " exceeds the model's " + std::to_string(c.max_positions) +
         " learned positions");
  k_cache_.resize(size_t(c.layers));
  v_cache_.resize(size_t(c.layers));
  for (int64_t l = 0; l < c.layers; ++l) {
    k_cache_[size_t(l)].assign(size_t(context * c.kv_dim()), 0.0f);
    v_cache_[size_t(l)].assign(size_t(context * c.kv_dim()), 0.0f);
  }
}

void Session::truncate(int64_t n) {
  if (n < 0 || n > position_) fail("cannot truncate a session at position " + std::to_string(position_) + " to " + std::to_string(n));
  position_ = n;
}

void Session::eval(const int32_t* tokens, int64_t T, const EvalOutputs& out, const JobContext& ctx) {
  const EngineConfig& c = model_->config();
  if (T <= 0) fail("no tokens to evaluate");
  if (position_ + T > context_)
    fail(std::to_string(T) + " tokens at position " + std::to_string(position_) + " do not fit the session's context of " +
         std::to_string(context_));
  for (size_t i = 0; i < out.logit_rows.size(); ++i)
    if (out.logit_rows[i] < 0 || out.logit_rows[i] >= T || (i > 0 && out.logit_rows[i] <= out.logit_rows[i - 1]))
      fail("logit rows must be ascending batch indices below " + std::to_string(T));
  for (int64_t i = 0; i < T; ++i)
    if (tokens[i] < 0 || tokens[i] >= c.vocab)
      fail("token id " + std::to_string(tokens[i]) + " at index " + std::to_string(i) + " is outside the vocabulary of " +
           std::to_string(c.vocab));

  const int64_t chunks = (T + kMicroBatch - 1) / kMicroBatch;
  Scratch& s = scratch_;
  for (int64_t ci = 0; ci < chunks; ++ci) {
    const int64_t t0 = ci * kMicroBatch, Tc = std::min(kMicroBatch, T - t0), first = position_ + t0;
    grow(s.x, Tc * c.hidden);
    model_->embed(tokens + t0, Tc, first, s.x.data());
    if (model_->rope()) model_->rope()->tables(first, Tc, s.cos, s.sin);
    for (int64_t l = 0; l < c.layers; ++l) {
      ctx.check_cancel();
      if (c.family == Family::Gpt2) block_gpt2(l, first, Tc, s);
      else block_llama(l, first, Tc, s);
      if (out.hidden)
        std::memcpy(out.hidden + (l * T + t0) * c.hidden, s.x.data(), size_t(Tc * c.hidden) * sizeof(float));
      ctx.progress(double(ci * c.layers + l + 1), double(chunks * c.layers), "evaluating");
    }
    head(s, Tc, t0, out);
  }
  position_ += T;
}

void Session::block_llama(int64_t l, int64_t first, int64_t T, Scratch& s) {
  const EngineConfig& c = model_->config();
  const Block& b = model_->blocks()[size_t(l)];
  const int64_t H = c.hidden, Q = c.q_dim(), KV = c.kv_dim(), I = c.intermediate, half = c.head_dim / 2;
  grow(s.h, T * H); grow(s.q, T * Q); grow(s.k, T * KV); grow(s.v, T * KV); grow(s.att, T * Q); grow(s.tmp, T * H);
  grow(s.gate, T * I); grow(s.up, T * I);
  per_token(T, H, [&](int64_t t) { rms_norm(s.x.data() + t * H, 1, H, b.attn_norm.weight.data(), c.norm_eps, s.h.data() + t * H); });
  b.q->forward(s.h.data(), T, s.q.data());
  b.k->forward(s.h.data(), T, s.k.data());
  b.v->forward(s.h.data(), T, s.v.data());
  const Rope& rope = *model_->rope();
  per_token(T, Q, [&](int64_t t) {
    rope.apply(s.q.data() + t * Q, c.heads, s.cos.data() + t * half, s.sin.data() + t * half);
    rope.apply(s.k.data() + t * KV, c.kv_heads, s.cos.data() + t * half, s.sin.data() + t * half);
  });
  float* kc = k_cache_[size_t(l)].data();
  float* vc = v_cache_[size_t(l)].data();
  std::memcpy(kc + first * KV, s.k.data(), size_t(T * KV) * sizeof(float));
  std::memcpy(vc + first * KV, s.v.data(), size_t(T * KV) * sizeof(float));
  attention(s.q.data(), kc, vc, first, T, {c.heads, c.kv_heads, c.head_dim, c.window(l)}, s.att.data());
  b.o->forward(s.att.data(), T, s.tmp.data());
  add_into(s.x.data(), s.tmp.data(), T * H);
  per_token(T, H, [&](int64_t t) { rms_norm(s.x.data() + t * H, 1, H, b.ffn_norm.weight.data(), c.norm_eps, s.h.data() + t * H); });
  b.gate->forward(s.h.data(), T, s.gate.data());
  b.up->forward(s.h.data(), T, s.up.data());
  per_token(T, I, [&](int64_t t) { gated_activation(s.gate.data() + t * I, s.up.data() + t * I, I, c.activation); });
  b.down->forward(s.gate.data(), T, s.tmp.data());
  add_into(s.x.data(), s.tmp.data(), T * H);
}

void Session::block_gpt2(int64_t l, int64_t first, int64_t T, Scratch& s) {
  const EngineConfig& c = model_->config();
  const Block& b = model_->blocks()[size_t(l)];
  const int64_t H = c.hidden, I = c.intermediate;
  grow(s.h, T * H); grow(s.q, T * H); grow(s.att, T * H); grow(s.tmp, T * H); grow(s.up, T * 3 * std::max(H, I));
  per_token(T, H, [&](int64_t t) {
    layer_norm(s.x.data() + t * H, 1, H, b.attn_norm.weight.data(), b.attn_norm.bias.data(), c.norm_eps, s.h.data() + t * H);
  });
  b.qkv->forward(s.h.data(), T, s.up.data());  // [T, 3H]: q | k | v
  float* kc = k_cache_[size_t(l)].data();
  float* vc = v_cache_[size_t(l)].data();
  for (int64_t t = 0; t < T; ++t) {
    const float* row = s.up.data() + t * 3 * H;
    std::memcpy(s.q.data() + t * H, row, size_t(H) * sizeof(float));
    std::memcpy(kc + (first + t) * H, row + H, size_t(H) * sizeof(float));
    std::memcpy(vc + (first + t) * H, row + 2 * H, size_t(H) * sizeof(float));
  }
  attention(s.q.data(), kc, vc, first, T, {c.heads, c.kv_heads, c.head_dim, c.window(l)}, s.att.data());
  b.o->forward(s.att.data(), T, s.tmp.data());
  add_into(s.x.data(), s.tmp.data(), T * H);
  per_token(T, H, [&](int64_t t) {
    layer_norm(s.x.data() + t * H, 1, H, b.ffn_norm.weight.data(), b.ffn_norm.bias.data(), c.norm_eps, s.h.data() + t * H);
  });
  b.up->forward(s.h.data(), T, s.up.data());
  per_token(T, I, [&](int64_t t) { activation(s.up.data() + t * I, I, c.activation); });
  b.down->forward(s.up.data(), T, s.tmp.data());
  add_into(s.x.data(), s.tmp.data(), T * H);
}

// Final norm and output head for the wanted rows of this micro-batch.
void Session::head(const Scratch& s, int64_t T, int64_t t0, const EvalOutputs& out) const {
  const EngineConfig& c = model_->config();
  const auto& rows = out.logit_rows;
  const auto lo = std::lower_bound(rows.begin(), rows.end(), t0), hi = std::lower_bound(rows.begin(), rows.end(), t0 + T);
  const int64_t n = hi - lo;
  if (n == 0 || !out.logits) return;
  const int64_t H = c.hidden;
  std::vector<float> normed(static_cast<size_t>(n * H));
  const Norm& fn = model_->output_norm();
  for (int64_t i = 0; i < n; ++i) {
    const float* x = s.x.data() + (lo[i] - t0) * H;
    if (c.family == Family::Gpt2) layer_norm(x, 1, H, fn.weight.data(), fn.bias.data(), c.norm_eps, normed.data() + i * H);
    else rms_norm(x, 1, H, fn.weight.data(), c.norm_eps, normed.data() + i * H);
  }
  model_->output().forward(normed.data(), n, out.logits + (lo - rows.begin()) * c.vocab);
}

}  // namespace mcs::engine
