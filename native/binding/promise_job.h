// The "baton" shape for every heavy native call: arguments are copied into a
// subclass on the JS thread, Run() does pure C++ on a libuv worker thread, and
// the promise resolves with Result() or rejects with an Error whose `code` says
// what kind of failure it was (EINVAL, EBADFILE, ECANCELLED, ENOMEM, EINTERNAL).
//
// Options object (last argument of most bindings): { signal?: CancelToken,
// onProgress?: (done, total, stage) => void }. Progress is throttled (~20/s)
// and delivered through a thread-safe function, never blocking the kernel.
#pragma once
#include <napi.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "core/job.h"

namespace mcs::binding {

class PromiseJob : public Napi::AsyncWorker {
 public:
  // Queues the job and returns its promise. `self` is owned by libuv/napi.
  static Napi::Promise start(PromiseJob* self);

 protected:
  PromiseJob(Napi::Env env, const Napi::Value& options);
  ~PromiseJob() override;

  virtual void Run(const JobContext& ctx) = 0;
  virtual Napi::Value Result(Napi::Env env) = 0;

 private:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;
  void release_progress();

  struct ProgressMsg {
    double done, total;
    std::string stage;
  };
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<CancelFlag> cancel_;
  Napi::ThreadSafeFunction progress_fn_;
  bool has_progress_ = false;
  std::atomic<int64_t> last_progress_ms_{-1000};
  std::string error_code_ = "EINTERNAL";
  JobContext ctx_;
};

// Reads the CancelToken's flag out of options.signal (nullptr when absent).
std::shared_ptr<CancelFlag> cancel_flag_from(const Napi::Value& options);

}  // namespace mcs::binding
