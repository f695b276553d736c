#include "binding/promise_job.h"

#include <new>

#include "binding/cancel_token.h"
#include "core/error.h"

namespace mcs::binding {

static int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::shared_ptr<CancelFlag> cancel_flag_from(const Napi::Value& options) {
  if (!options.IsObject()) return nullptr;
  const Napi::Value signal = options.As<Napi::Object>().Get("signal");
  if (signal.IsUndefined() || signal.IsNull()) return nullptr;
  return CancelToken::flag_of(signal);
}

PromiseJob::PromiseJob(Napi::Env env, const Napi::Value& options)
    : Napi::AsyncWorker(env, "mcs:job"), deferred_(Napi::Promise::Deferred::New(env)) {
  cancel_ = cancel_flag_from(options);
  if (!cancel_) cancel_ = std::make_shared<CancelFlag>();
  if (options.IsObject()) {
    const Napi::Value cb = options.As<Napi::Object>().Get("onProgress");
    if (cb.IsFunction()) {
      progress_fn_ = Napi::ThreadSafeFunction::New(env, cb.As<Napi::Function>(), "mcs:progress", 0, 1);
      has_progress_ = true;
    } else if (!cb.IsUndefined()) {
      throw Napi::TypeError::New(env, "onProgress must be a function");
    }
  }
  JobContext::ProgressFn fn;
  if (has_progress_) {
    fn = [this](double done, double total, const std::string& stage) {
      // Always deliver the final tick; otherwise at most one per 50 ms.
      const int64_t t = now_ms();
      if (done < total && t - last_progress_ms_.load() < 50) return;
      last_progress_ms_.store(t);
      auto* msg = new ProgressMsg{done, total, stage};
      const napi_status st = progress_fn_.NonBlockingCall(msg, [](Napi::Env env, Napi::Function js, ProgressMsg* m) {
        if (env != nullptr && js != nullptr) {
          js.Call({Napi::Number::New(env, m->done), Napi::Number::New(env, m->total), Napi::String::New(env, m->stage)});
        }
        delete m;
      });
      if (st != napi_ok) delete msg;
    };
  }
  ctx_ = JobContext(cancel_, std::move(fn));
}

PromiseJob::~PromiseJob() { release_progress(); }

void PromiseJob::release_progress() {
  if (has_progress_) {
    progress_fn_.Release();
    has_progress_ = false;
  }
}

Napi::Promise PromiseJob::start(PromiseJob* self) {
  Napi::Promise p = self->deferred_.Promise();
  self->Queue();
  return p;
}

void PromiseJob::Execute() {
  try {
    ctx_.check_cancel();
    Run(ctx_);
  } catch (const Error& e) {
    error_code_ = error_code_name(e.code());
    SetError(e.what());
  } catch (const std::bad_alloc&) {
    error_code_ = "ENOMEM";
    SetError("out of memory");
  } catch (const std::exception& e) {
    error_code_ = "EINTERNAL";
    SetError(std::string("internal error: ") + e.what());
  } catch (...) {
    error_code_ = "EINTERNAL";
    SetError("internal error");
  }
}

void PromiseJob::OnOK() {
  Napi::Env env = Env();
  release_progress();
  try {
    deferred_.Resolve(Result(env));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  }
}

void PromiseJob::OnError(const Napi::Error& e) {
  Napi::Env env = Env();
  release_progress();
  Napi::Error err = Napi::Error::New(env, e.Message());
  err.Set("code", Napi::String::New(env, error_code_));
  deferred_.Reject(err.Value());
}

}  // namespace mcs::binding
