// What a long-running kernel needs from its caller: a cancel flag it polls and a
// progress sink it reports to. Both are optional; kernels must stay pure C++.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "core/error.h"

namespace mcs {

struct CancelFlag {
  std::atomic<bool> cancelled{false};
};

class JobContext {
 public:
  using ProgressFn = std::function<void(double done, double total, const std::string& stage)>;

  JobContext() = default;
  JobContext(std::shared_ptr<CancelFlag> cancel, ProgressFn progress)
      : cancel_(std::move(cancel)), progress_(std::move(progress)) {}

  bool cancelled() const { return cancel_ && cancel_->cancelled.load(std::memory_order_relaxed); }
  // Kernels call this between units of work (rows, blocks, layers).
  void check_cancel() const {
    if (cancelled()) throw Error(ErrorCode::Cancelled, "cancelled");
  }
  void progress(double done, double total, const std::string& stage = "") const {
    if (progress_) progress_(done, total, stage);
  }
  // The same cancel flag without progress, for a step inside a larger job.
  JobContext without_progress() const { return JobContext(cancel_, nullptr); }

 private:
  std::shared_ptr<CancelFlag> cancel_;
  ProgressFn progress_;
};

}  // namespace mcs
