#include "cpu/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace mcs::cpu {
namespace {

thread_local bool t_inside_region = false;

// A forward pass posts regions back to back (a few hundred per token), and
// waking a sleeping thread costs tens of microseconds — as long as a layer's
// product. So workers and the waiting caller spin this long before they sleep.
constexpr auto kSpin = std::chrono::microseconds(200);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins until `ready()` or kSpin has passed; true when ready.
template <typename F>
bool spin_until(F&& ready) {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (int i = 0;; ++i) {
    if (ready()) return true;
    cpu_relax();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > deadline) return false;
  }
}

class Pool {
 public:
  ~Pool() { stop_workers(); }

  int threads() {
    std::lock_guard<std::mutex> lock(config_mu_);
    return wanted_ > 0 ? wanted_ : default_threads();
  }

  void set_threads(int n) {
    std::lock_guard<std::mutex> lock(config_mu_);
    wanted_ = std::max(0, n);
  }

  void run(size_t n, size_t grain, const RangeFn& body) {
    if (n == 0) return;
    grain = std::max<size_t>(grain, 1);
    const size_t chunks = (n + grain - 1) / grain;
    if (t_inside_region || chunks == 1 || threads() == 1) {
      body(0, n);
      return;
    }
    std::lock_guard<std::mutex> region(region_mu_);
    ensure_workers(threads() - 1);
    // Aim for a few chunks per thread so uneven rows balance out.
    const size_t nthreads = workers_.size() + 1;
    const size_t step = std::max(grain, (n + nthreads * 4 - 1) / (nthreads * 4));
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = &body;
      n_ = n;
      step_ = step;
      next_.store(0);
      error_ = nullptr;
      failed_.store(false);
      active_.store(workers_.size());
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    work();
    spin_until([&] { return active_.load(std::memory_order_acquire) == 0; });
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [&] { return active_.load() == 0; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static int default_threads() {
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(hw);
  }

  void ensure_workers(int count) {
    if (static_cast<int>(workers_.size()) == count) return;
    stop_workers();
    stopping_.store(false);
    uint64_t start_generation;
    {
      std::lock_guard<std::mutex> lock(mu_);
      start_generation = generation_.load();
    }
    // Workers remember the generation at creation, so a region posted before a
    // new thread first runs is still seen by it.
    for (int i = 0; i < count; ++i) workers_.emplace_back([this, start_generation] { worker_loop(start_generation); });
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_.store(true);
      generation_.fetch_add(1);
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  void worker_loop(uint64_t seen) {
    for (;;) {
      // The region's fields are read after taking mu_ (under which they were
      // written): spinning only saves the sleep.
      spin_until([&] { return stopping_.load(std::memory_order_relaxed) || generation_.load(std::memory_order_acquire) != seen; });
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stopping_.load() || generation_.load() != seen; });
        if (stopping_.load()) return;
        seen = generation_.load();
      }
      work();
      if (active_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mu_);
        done_cv_.notify_all();
      }
    }
  }

  // Claims chunks until none are left; shared by workers and the caller.
  void work() {
    t_inside_region = true;
    for (;;) {
      if (failed_.load(std::memory_order_relaxed)) break;
      const size_t begin = next_.fetch_add(step_);
      if (begin >= n_) break;
      const size_t end = std::min(n_, begin + step_);
      try {
        (*job_)(begin, end);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!error_) error_ = std::current_exception();
        failed_.store(true);
      }
    }
    t_inside_region = false;
  }

  std::mutex config_mu_;
  int wanted_ = 0;

  std::mutex region_mu_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> generation_{0};
  std::atomic<size_t> active_{0};

  const RangeFn* job_ = nullptr;
  size_t n_ = 0, step_ = 1;
  std::atomic<size_t> next_{0};
  std::atomic<bool> failed_{false};
  std::exception_ptr error_;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers may outlive static teardown
  return *p;
}

}  // namespace

void parallel_for(size_t n, size_t grain, const RangeFn& body) { pool().run(n, grain, body); }
int num_threads() { return pool().threads(); }
void set_num_threads(int n) { pool().set_threads(n); }

}  // namespace mcs::cpu
